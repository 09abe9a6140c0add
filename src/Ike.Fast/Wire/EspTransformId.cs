namespace Ike.Fast.Wire;

/// <summary>IPsec ESP transform identifiers (RFC 2407 §4.4.4, RFC 3602, RFC 4106/4309, IANA IPsec registry).</summary>
public enum EspTransformId : byte
{
    DesIv64 = 1,
    Des = 2,
    TripleDes = 3,
    Rc5 = 4,
    Idea = 5,
    Cast = 6,
    Blowfish = 7,
    TripleIdea = 8,
    DesIv32 = 9,
    Rc4 = 10,
    Null = 11,
    AesCbc = 12,
    AesCtr = 13,
    AesCcm8 = 14,
    AesCcm12 = 15,
    AesCcm16 = 16,
    AesGcm8 = 18,
    AesGcm12 = 19,
    AesGcm16 = 20,
    NullAuthAesGmac = 23,
}
