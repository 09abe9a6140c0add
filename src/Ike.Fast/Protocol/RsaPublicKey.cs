using System.Security.Cryptography;

namespace Ike.Fast.Protocol;

/// <summary>
/// A peer's RSA public key prepared once for many IKEv1 signature checks (RFC 2409 §5.1): on Linux the OpenSSL key
/// handle (verify = one EVP_PKEY_verify with PKCS#1 padding and no digest, no key export or decoding per check),
/// elsewhere the managed check of <see cref="RsaPkcs1Signature.Verify(RSA, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.
/// </summary>
internal sealed class RsaPublicKey : IDisposable
{
    private readonly RSA _key;
    private readonly SafeEvpPKeyHandle? _handle;

    /// <summary>Takes ownership of <paramref name="key"/>.</summary>
    public RsaPublicKey(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        if (OperatingSystem.IsLinux() && key is RSAOpenSsl openSsl)
        {
            _handle = openSsl.DuplicateKeyHandle();
        }
    }

    /// <summary>True when <paramref name="signature"/> is the PKCS#1 v1.5 type 1 encoding of <paramref name="hash"/> under this key.</summary>
    public bool Verify(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature) =>
        _handle is not null && OperatingSystem.IsLinux()
            ? RsaPkcs1Signature.VerifyOpenSsl(_handle, hash, signature)
            : RsaPkcs1Signature.Verify(_key, hash, signature);

    public void Dispose()
    {
        _handle?.Dispose();
        _key.Dispose();
    }
}
