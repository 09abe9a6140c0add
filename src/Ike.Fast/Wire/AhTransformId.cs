namespace Ike.Fast.Wire;

/// <summary>IPsec AH transform identifiers (RFC 2407 §4.4.3, IANA IPsec registry).</summary>
public enum AhTransformId : byte
{
    Md5 = 2,
    Sha = 3,
    Des = 4,
    Sha2_256 = 5,
    Sha2_384 = 6,
    Sha2_512 = 7,
}
