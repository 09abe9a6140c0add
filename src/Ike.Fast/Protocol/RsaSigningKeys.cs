using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ike.Fast.Protocol;

/// <summary>
/// Our own RSA private keys (the local certificates' keys, RFC 2409 §5.1 SIG_I/SIG_R), fetched from each certificate
/// once and kept as OpenSSL handles: a signature then costs the private-key operation only, not a key object and a
/// handle duplication per handshake. One per <see cref="Endpoint"/> (single-threaded), keyed by the certificate object,
/// bounded (cleared when full: a configuration has few local certificates; a load generator one per synthetic peer).
/// </summary>
internal sealed class RsaSigningKeys : IDisposable
{
    private const int MaxKeys = 4096;

    private readonly Dictionary<X509Certificate2, (RSA Key, SafeEvpPKeyHandle? Handle, int ModulusLength)> _keys = new(ReferenceEqualityComparer.Instance);

    /// <summary>Signature of <paramref name="hash"/> with <paramref name="certificate"/>'s private key; null without one.</summary>
    public byte[]? Sign(X509Certificate2 certificate, ReadOnlySpan<byte> hash)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!_keys.TryGetValue(certificate, out (RSA Key, SafeEvpPKeyHandle? Handle, int ModulusLength) entry))
        {
            if (certificate.GetRSAPrivateKey() is not { } key)
            {
                return null;
            }

            if (_keys.Count >= MaxKeys)
            {
                Clear();
            }

            entry = (key, OperatingSystem.IsLinux() && key is RSAOpenSsl openSsl ? openSsl.DuplicateKeyHandle() : null, key.KeySize / 8);
            _keys[certificate] = entry;
        }

        return entry.Handle is { } handle && OperatingSystem.IsLinux()
            ? RsaPkcs1Signature.Sign(handle, entry.ModulusLength, hash)
            : RsaPkcs1Signature.Sign(entry.Key, hash);
    }

    /// <summary>Number of keys held.</summary>
    public int Count => _keys.Count;

    public void Clear()
    {
        foreach ((RSA key, SafeEvpPKeyHandle? handle, _) in _keys.Values)
        {
            handle?.Dispose();
            key.Dispose();
        }

        _keys.Clear();
    }

    public void Dispose() => Clear();
}
