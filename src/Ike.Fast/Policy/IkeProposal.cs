using Ike.Fast.Crypto;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Policy;

/// <summary>
/// One Phase 1 transform (RFC 2409 Appendix A attribute values): cipher with key length, hash (also the PRF, RFC
/// 2409 §4) and Diffie-Hellman group. IKEv1 carries one transform per combination, so a keyword string naming
/// several algorithms expands to several <see cref="IkeProposal"/>s (see <see cref="ProposalParser.ParseIke"/>).
/// </summary>
/// <param name="Encryption">Encryption Algorithm attribute value.</param>
/// <param name="KeyLengthBits">Key Length attribute (bits); 0 when the cipher has a fixed key (3DES).</param>
/// <param name="Hash">Hash Algorithm attribute value.</param>
/// <param name="Group">Group Description attribute value.</param>
public sealed record IkeProposal(IkeEncryptionAlgorithm Encryption, int KeyLengthBits, IkeHashAlgorithm Hash, DhGroupId Group)
{
    /// <summary>Key size in bytes (Ka length, RFC 2409 Appendix B).</summary>
    public int KeySize => Encryption == IkeEncryptionAlgorithm.TripleDesCbc ? 24 : KeyLengthBits / 8;

    /// <summary>strongSwan keyword form, e.g. <c>aes128-sha256-modp2048</c>.</summary>
    public override string ToString() => ProposalParser.Format(this);
}
