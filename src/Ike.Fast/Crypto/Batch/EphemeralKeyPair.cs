using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// A precomputed Diffie-Hellman pair (x, g^x mod p) from an <see cref="EphemeralKeyPairPool"/>, used for exactly
/// one exchange: taken out of the pool, then released (Dispose), which wipes both values and frees the slot.
/// </summary>
public sealed class EphemeralKeyPair : IDisposable
{
    private readonly EphemeralKeyPairPool _pool;
    private readonly byte[] _privateKey;
    private readonly byte[] _publicKey;

    internal EphemeralKeyPair(EphemeralKeyPairPool pool, int slot, int privateKeyLength, int publicKeyLength)
    {
        _pool = pool;
        Slot = slot;
        _privateKey = new byte[privateKeyLength];
        _publicKey = new byte[publicKeyLength];
    }

    /// <summary>The group.</summary>
    public DhGroupId Group => _pool.Group;

    /// <summary>The private exponent x, big-endian (secret: valid until released).</summary>
    public ReadOnlySpan<byte> PrivateKey
    {
        get
        {
            EnsureTaken();
            return _privateKey;
        }
    }

    /// <summary>g^x mod p, big-endian, the prime's length: the KE payload data (RFC 2409 section 5).</summary>
    public ReadOnlySpan<byte> PublicKey
    {
        get
        {
            EnsureTaken();
            return _publicKey;
        }
    }

    internal int Slot { get; }

    internal EphemeralKeyPairState State { get; set; }

    internal byte[] PrivateKeyBuffer => _privateKey;

    internal byte[] PublicKeyBuffer => _publicKey;

    /// <summary>Wipes the pair and returns its slot to the pool (same as <see cref="EphemeralKeyPairPool.Release"/>).</summary>
    public void Dispose()
    {
        if (State == EphemeralKeyPairState.Taken)
        {
            _pool.Release(this);
        }
    }

    private void EnsureTaken()
    {
        if (State != EphemeralKeyPairState.Taken)
        {
            throw new InvalidOperationException("The key pair is not taken from its pool (released already?).");
        }
    }
}
