using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Wire;

namespace Ike.Fast.Policy;

/// <summary>
/// One Phase 2 transform (RFC 2407 §4.4 and §4.5): ESP cipher (transform id + Key Length) with an authentication
/// algorithm, or AH with its authentication algorithm, and the PFS group for Quick Mode (null = no PFS).
/// </summary>
/// <param name="Protocol">ESP or AH.</param>
/// <param name="EspTransform">ESP transform id (cipher); ignored for AH.</param>
/// <param name="KeyLengthBits">Key Length attribute (bits) for variable-key ciphers (AES), else 0.</param>
/// <param name="Integrity">Authentication Algorithm attribute; null for combined-mode ciphers (AES-GCM).</param>
/// <param name="PfsGroup">Group Description for Quick Mode PFS (RFC 2409 §5.5), or null.</param>
public sealed record ChildProposal(IpsecProtocol Protocol, EspTransformId EspTransform, int KeyLengthBits,
    IpsecAuthenticationAlgorithm? Integrity, DhGroupId? PfsGroup)
{
    /// <summary>True for AES-GCM (no separate integrity key).</summary>
    public bool IsAead => Protocol == IpsecProtocol.Esp && EspTransform is EspTransformId.AesGcm8 or EspTransformId.AesGcm12 or EspTransformId.AesGcm16;

    /// <summary>
    /// Encryption KEYMAT bytes for one direction: the key, plus the 4-byte salt for AES-GCM (RFC 4106 §8.1) and
    /// AES-CTR (RFC 3686 §5.1, nonce).
    /// </summary>
    public int EncryptionKeySize => Protocol == IpsecProtocol.Ah ? 0 : EspTransform switch
    {
        EspTransformId.TripleDes => 24,
        EspTransformId.AesCbc => KeyLengthBits / 8,
        EspTransformId.AesCtr or EspTransformId.AesGcm8 or EspTransformId.AesGcm12 or EspTransformId.AesGcm16 => (KeyLengthBits / 8) + 4,
        _ => 0,
    };

    /// <summary>Integrity KEYMAT bytes for one direction (the HMAC key is the full hash output, RFC 2404/4868).</summary>
    public int IntegrityKeySize => Integrity switch
    {
        IpsecAuthenticationAlgorithm.HmacMd5 => 16,
        IpsecAuthenticationAlgorithm.HmacSha1 => 20,
        IpsecAuthenticationAlgorithm.HmacSha2_256 => 32,
        IpsecAuthenticationAlgorithm.HmacSha2_384 => 48,
        IpsecAuthenticationAlgorithm.HmacSha2_512 => 64,
        _ => 0,
    };

    /// <summary>Total KEYMAT bytes per direction (RFC 2409 §5.5: encryption key first, then integrity key).</summary>
    public int KeymatSize => EncryptionKeySize + IntegrityKeySize;

    /// <summary>strongSwan keyword form, e.g. <c>aes128-sha256-modp2048</c>.</summary>
    public override string ToString() => ProposalParser.Format(this);
}
