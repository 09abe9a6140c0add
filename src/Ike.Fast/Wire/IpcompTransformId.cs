namespace Ike.Fast.Wire;

/// <summary>IPComp transform identifiers (RFC 2407 §4.4.5).</summary>
public enum IpcompTransformId : byte
{
    Oui = 1,
    Deflate = 2,
    Lzs = 3,
}
