namespace Ike.Fast.Tests.Captures;

/// <summary>An SA attribute from "IKE Attribute (t=1,l=2): ..." or "IPsec Attribute (t=5,l=2): ...": type, declared length and value bytes (hex).</summary>
internal sealed record DissectedAttribute(int Type, int Length, string ValueHex);
