using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;
using Ike.Native.Xfrm;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// Negotiated IPsec transforms (RFC 2407 section 4.4.4 ESP transform ids, section 4.5 authentication algorithms) to the
/// shim's XFRM algorithms, which name the Linux crypto API transforms: AES-CBC → cbc(aes) (RFC 3602), 3DES →
/// cbc(des3_ede) (RFC 2451), AES-CTR → rfc3686(ctr(aes)) with the 4-byte nonce after the key (RFC 3686 section 5.1),
/// AES-GCM-16 → rfc4106(gcm(aes)) ICV 128 with the 4-byte salt after the key (RFC 4106 section 8.1), HMAC-SHA1-96
/// (RFC 2404), HMAC-SHA2-256-128/384-192/512-256 (RFC 4868). <see cref="ChildSaInfo"/>'s encryption keys already carry
/// the salt/nonce at their end (KEYMAT split, RFC 2409 section 5.5), which is the layout the kernel wants.
/// </summary>
internal static class XfrmAlgorithms
{
    /// <summary>False for a transform the kernel installer does not map (the SA is then refused, not mis-installed).</summary>
    public static bool TryMap(ChildSaInfo sa, out XfrmEncryptionAlgorithm encryption, out XfrmIntegrityAlgorithm integrity)
    {
        encryption = XfrmEncryptionAlgorithm.None;
        integrity = XfrmIntegrityAlgorithm.None;
        if (sa.Protocol == IpsecProtocol.Esp)
        {
            encryption = sa.Encryption switch
            {
                EspTransformId.AesCbc => XfrmEncryptionAlgorithm.AesCbc,
                EspTransformId.TripleDes => XfrmEncryptionAlgorithm.TripleDesCbc,
                EspTransformId.AesCtr => XfrmEncryptionAlgorithm.AesCtr,
                EspTransformId.AesGcm16 => XfrmEncryptionAlgorithm.AesGcm16,
                EspTransformId.Null => XfrmEncryptionAlgorithm.Null,
                _ => XfrmEncryptionAlgorithm.None,
            };
            if (encryption == XfrmEncryptionAlgorithm.None)
            {
                return false;
            }
        }

        if (sa.Integrity is not { } algorithm)
        {
            // Only an AEAD cipher may come without integrity (RFC 4106 section 8.4; RFC 4303 section 3.2).
            return encryption == XfrmEncryptionAlgorithm.AesGcm16;
        }

        integrity = algorithm switch
        {
            IpsecAuthenticationAlgorithm.HmacSha1 => XfrmIntegrityAlgorithm.HmacSha1_96,
            IpsecAuthenticationAlgorithm.HmacSha2_256 => XfrmIntegrityAlgorithm.HmacSha256_128,
            IpsecAuthenticationAlgorithm.HmacSha2_384 => XfrmIntegrityAlgorithm.HmacSha384_192,
            IpsecAuthenticationAlgorithm.HmacSha2_512 => XfrmIntegrityAlgorithm.HmacSha512_256,
            IpsecAuthenticationAlgorithm.HmacMd5 => XfrmIntegrityAlgorithm.HmacMd5_96,
            _ => XfrmIntegrityAlgorithm.None,
        };
        return integrity != XfrmIntegrityAlgorithm.None && encryption != XfrmEncryptionAlgorithm.AesGcm16;
    }
}
