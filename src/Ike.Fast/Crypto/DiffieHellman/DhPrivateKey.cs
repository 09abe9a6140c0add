using System.Security.Cryptography;
using NSec.Cryptography;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Handle to one exchange's private value and the matching public value. Fresh for every exchange and
/// single-use: the first successful shared-secret computation consumes it (the secret is wiped and native
/// keys are disposed), and <see cref="Dispose"/> does the same for an exchange that is abandoned.
/// The MODP exponent lives in a pinned array so the GC never leaves copies of it behind.
/// </summary>
public sealed class DhPrivateKey : IDisposable
{
    private readonly byte[] _publicValue;
    private byte[]? _exponent;
    private ECDiffieHellman? _ecdh;
    private Key? _x25519;

    private DhPrivateKey(DhGroup group, byte[] publicValue, byte[]? exponent, ECDiffieHellman? ecdh, Key? x25519)
    {
        Group = group;
        _publicValue = publicValue;
        _exponent = exponent;
        _ecdh = ecdh;
        _x25519 = x25519;
    }

    /// <summary>The group this key belongs to.</summary>
    public DhGroup Group { get; }

    /// <summary>Our public value in KE payload encoding (kept for retransmissions).</summary>
    public ReadOnlySpan<byte> PublicValue => _publicValue;

    /// <summary>True once the private value has been used or disposed.</summary>
    public bool IsConsumed => _exponent is null && _ecdh is null && _x25519 is null;

    internal byte[]? Exponent => _exponent;

    internal ECDiffieHellman? Ecdh => _ecdh;

    internal Key? X25519 => _x25519;

    /// <summary>Wipes and releases the private value.</summary>
    public void Dispose() => Consume();

    internal static DhPrivateKey ForModp(DhGroup group, byte[] pinnedExponent, byte[] publicValue) =>
        new(group, publicValue, pinnedExponent, null, null);

    /// <summary>A curve key as a raw scalar (batched engine: X25519 little-endian, P-256 big-endian d), pinned.</summary>
    internal static DhPrivateKey ForScalar(DhGroup group, byte[] pinnedScalar, byte[] publicValue) =>
        new(group, publicValue, pinnedScalar, null, null);

    internal static DhPrivateKey ForEcp(DhGroup group, ECDiffieHellman ecdh, byte[] publicValue) =>
        new(group, publicValue, null, ecdh, null);

    internal static DhPrivateKey ForCurve25519(DhGroup group, Key key, byte[] publicValue) =>
        new(group, publicValue, null, null, key);

    internal void Consume()
    {
        byte[]? exponent = Interlocked.Exchange(ref _exponent, null);
        if (exponent is not null)
        {
            CryptographicOperations.ZeroMemory(exponent);
        }

        Interlocked.Exchange(ref _ecdh, null)?.Dispose();
        Interlocked.Exchange(ref _x25519, null)?.Dispose();
    }
}
