namespace Ike.Fast.Wire;

/// <summary>Values of the IPsec Authentication Algorithm attribute (RFC 2407 §4.5, RFC 4868).</summary>
public enum IpsecAuthenticationAlgorithm : ushort
{
    HmacMd5 = 1,
    HmacSha1 = 2,
    DesMac = 3,
    KpdkMac = 4,
    HmacSha2_256 = 5,
    HmacSha2_384 = 6,
    HmacSha2_512 = 7,
    HmacRipemd = 8,
    AesXcbcMac = 9,
    AesGmac128 = 11,
    AesGmac192 = 12,
    AesGmac256 = 13,
}
