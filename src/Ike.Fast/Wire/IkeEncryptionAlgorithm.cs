namespace Ike.Fast.Wire;

/// <summary>Values of the IKE Encryption Algorithm attribute (RFC 2409 Appendix A, RFC 3602, RFC 4312).</summary>
public enum IkeEncryptionAlgorithm : ushort
{
    DesCbc = 1,
    IdeaCbc = 2,
    BlowfishCbc = 3,
    Rc5R16B64Cbc = 4,
    TripleDesCbc = 5,
    CastCbc = 6,
    AesCbc = 7,
    CamelliaCbc = 8,
}
