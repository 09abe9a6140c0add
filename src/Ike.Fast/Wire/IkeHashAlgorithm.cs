namespace Ike.Fast.Wire;

/// <summary>Values of the IKE Hash Algorithm attribute (RFC 2409 Appendix A, RFC 4868 registry additions).</summary>
public enum IkeHashAlgorithm : ushort
{
    Md5 = 1,
    Sha1 = 2,
    Tiger = 3,
    Sha2_256 = 4,
    Sha2_384 = 5,
    Sha2_512 = 6,
}
