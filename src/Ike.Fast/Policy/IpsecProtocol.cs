namespace Ike.Fast.Policy;

/// <summary>The IPsec protocol of a child SA proposal (RFC 2407 §4.4.1).</summary>
public enum IpsecProtocol
{
    /// <summary>ESP (protocol id 3).</summary>
    Esp = 3,

    /// <summary>AH (protocol id 2).</summary>
    Ah = 2,
}
