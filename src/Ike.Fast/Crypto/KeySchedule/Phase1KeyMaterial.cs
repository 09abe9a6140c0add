using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto.KeySchedule;

/// <summary>
/// All Phase 1 secrets of one IKE SA in one pooled, pinned, zero-on-release buffer: SKEYID, SKEYID_d, SKEYID_a,
/// SKEYID_e (PRF output size each), Ka (cipher key size, RFC 2409 Appendix B) and the initial Phase 1 IV (block
/// size), plus SKEYID, SKEYID_a and SKEYID_d prepared as <see cref="PrfKey"/>s so every later PRF keyed by them
/// (HASH_I/HASH_R, Phase 2 and Informational HASHes, KEYMAT) skips the HMAC key set-up. The prepared keys are
/// unmanaged structs laid over the same pinned buffer, so every secret lives in one place that is zeroed on
/// release and copying this small handle never copies key material. Derivation allocates nothing after warm-up.
/// Keep one copy (a field of the IKE SA) and <see cref="Dispose"/> it when the IKE SA goes away.
/// </summary>
public struct Phase1KeyMaterial : IDisposable
{
    private const int SkeyidKeyIndex = 0;
    private const int SkeyidAKeyIndex = 1;
    private const int SkeyidDKeyIndex = 2;
    private const int PreparedKeyCount = 3;

    private static readonly int s_preparedKeySize = (Unsafe.SizeOf<PrfKey>() + 15) & ~15;

    private SecretBuffer _buffer;
    private int _prfSize;
    private int _keySize;
    private int _blockSize;

    /// <summary>Set by <see cref="Compact"/>: the buffer holds only the secrets, the prepared keys are gone.</summary>
    private bool _compact;

    /// <summary>The negotiated hash (PRF = HMAC with it).</summary>
    public IkeHashAlgorithm Hash { readonly get; private set; }

    /// <summary>SKEYID.</summary>
    /// <exception cref="InvalidOperationException">After <see cref="Compact"/>, which drops it.</exception>
    public readonly ReadOnlySpan<byte> Skeyid => _compact
        ? throw new InvalidOperationException("SKEYID is dropped by Compact (only HASH_I/HASH_R use it).")
        : Secrets.Slice(0, _prfSize);

    /// <summary>SKEYID_d: keys Quick Mode KEYMAT.</summary>
    public readonly ReadOnlySpan<byte> SkeyidD => AfterSkeyid.Slice(0, _prfSize);

    /// <summary>SKEYID_a: keys the Phase 2 / Informational HASHes.</summary>
    public readonly ReadOnlySpan<byte> SkeyidA => AfterSkeyid.Slice(_prfSize, _prfSize);

    /// <summary>SKEYID_e.</summary>
    public readonly ReadOnlySpan<byte> SkeyidE => AfterSkeyid.Slice(2 * _prfSize, _prfSize);

    /// <summary>Ka, the Phase 1 cipher key (SKEYID_e truncated or expanded per RFC 2409 Appendix B).</summary>
    public readonly ReadOnlySpan<byte> EncryptionKey => AfterSkeyid.Slice(3 * _prfSize, _keySize);

    /// <summary>The initial Phase 1 IV, hash(g^xi | g^xr) truncated to the block size.</summary>
    public readonly ReadOnlySpan<byte> InitialIv => AfterSkeyid.Slice((3 * _prfSize) + _keySize, _blockSize);

    /// <summary>Pre-shared key authentication: SKEYID = prf(pre-shared-key, Ni_b | Nr_b), then the rest.</summary>
    public static Phase1KeyMaterial DerivePreSharedKey(IkeHashAlgorithm hash, int keySize, int blockSize,
        ReadOnlySpan<byte> preSharedKey, ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB,
        ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ckyI, ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> gxi,
        ReadOnlySpan<byte> gxr)
    {
        Phase1KeyMaterial keys = Allocate(hash, keySize, blockSize);
        Span<byte> skeyid = keys.Secrets[..keys._prfSize];
        Phase1KeySchedule.ComputeSkeyidPreSharedKey(hash, preSharedKey, niB, nrB, skeyid);
        keys.DeriveRest(sharedSecret, ckyI, ckyR, gxi, gxr);
        return keys;
    }

    /// <summary>Signature authentication: SKEYID = prf(Ni_b | Nr_b, g^xy), then the rest.</summary>
    public static Phase1KeyMaterial DeriveSignature(IkeHashAlgorithm hash, int keySize, int blockSize,
        ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ckyI,
        ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr)
    {
        Phase1KeyMaterial keys = Allocate(hash, keySize, blockSize);
        Span<byte> skeyid = keys.Secrets[..keys._prfSize];
        Phase1KeySchedule.ComputeSkeyidSignature(hash, niB, nrB, sharedSecret, skeyid);
        keys.DeriveRest(sharedSecret, ckyI, ckyR, gxi, gxr);
        return keys;
    }

    /// <summary>From a known SKEYID (any authentication method), e.g. one read from a secrets file.</summary>
    public static Phase1KeyMaterial DeriveFromSkeyid(IkeHashAlgorithm hash, int keySize, int blockSize,
        ReadOnlySpan<byte> skeyid, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ckyI, ReadOnlySpan<byte> ckyR,
        ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr)
    {
        Phase1KeyMaterial keys = Allocate(hash, keySize, blockSize);
        if (skeyid.Length != keys._prfSize)
        {
            keys.Dispose();
            throw new ArgumentException("SKEYID must be the PRF output size.", nameof(skeyid));
        }

        skeyid.CopyTo(keys.Secrets);
        keys.DeriveRest(sharedSecret, ckyI, ckyR, gxi, gxr);
        return keys;
    }

    /// <summary>HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) (RFC 2409 §5).</summary>
    public readonly int ComputeHashI(ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr, ReadOnlySpan<byte> ckyI,
        ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> saiB, ReadOnlySpan<byte> idiiB, Span<byte> hashI)
    {
        if (!_compact)
        {
            return Phase1KeySchedule.ComputeHashI(in PreparedKey(SkeyidKeyIndex), gxi, gxr, ckyI, ckyR, saiB, idiiB, hashI);
        }

        PrfKey key = Transient(SkeyidKeyIndex);
        int size = Phase1KeySchedule.ComputeHashI(in key, gxi, gxr, ckyI, ckyR, saiB, idiiB, hashI);
        key.Dispose();
        return size;
    }

    /// <summary>HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) (RFC 2409 §5).</summary>
    public readonly int ComputeHashR(ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr, ReadOnlySpan<byte> ckyI,
        ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> saiB, ReadOnlySpan<byte> idirB, Span<byte> hashR)
    {
        if (!_compact)
        {
            return Phase1KeySchedule.ComputeHashR(in PreparedKey(SkeyidKeyIndex), gxi, gxr, ckyI, ckyR, saiB, idirB, hashR);
        }

        PrfKey key = Transient(SkeyidKeyIndex);
        int size = Phase1KeySchedule.ComputeHashR(in key, gxi, gxr, ckyI, ckyR, saiB, idirB, hashR);
        key.Dispose();
        return size;
    }

    /// <summary>Quick Mode HASH(1) keyed with SKEYID_a (RFC 2409 §5.5).</summary>
    public readonly int ComputeQuickModeHash1(uint messageId, ReadOnlySpan<byte> rest, Span<byte> hash1)
    {
        if (!_compact)
        {
            return Phase2KeySchedule.ComputeQuickModeHash1(in PreparedKey(SkeyidAKeyIndex), messageId, rest, hash1);
        }

        PrfKey key = Transient(SkeyidAKeyIndex);
        int size = Phase2KeySchedule.ComputeQuickModeHash1(in key, messageId, rest, hash1);
        key.Dispose();
        return size;
    }

    /// <summary>Quick Mode HASH(2) keyed with SKEYID_a (RFC 2409 §5.5).</summary>
    public readonly int ComputeQuickModeHash2(uint messageId, ReadOnlySpan<byte> niB, ReadOnlySpan<byte> rest,
        Span<byte> hash2)
    {
        if (!_compact)
        {
            return Phase2KeySchedule.ComputeQuickModeHash2(in PreparedKey(SkeyidAKeyIndex), messageId, niB, rest, hash2);
        }

        PrfKey key = Transient(SkeyidAKeyIndex);
        int size = Phase2KeySchedule.ComputeQuickModeHash2(in key, messageId, niB, rest, hash2);
        key.Dispose();
        return size;
    }

    /// <summary>Quick Mode HASH(3) keyed with SKEYID_a (RFC 2409 §5.5).</summary>
    public readonly int ComputeQuickModeHash3(uint messageId, ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB,
        Span<byte> hash3)
    {
        if (!_compact)
        {
            return Phase2KeySchedule.ComputeQuickModeHash3(in PreparedKey(SkeyidAKeyIndex), messageId, niB, nrB, hash3);
        }

        PrfKey key = Transient(SkeyidAKeyIndex);
        int size = Phase2KeySchedule.ComputeQuickModeHash3(in key, messageId, niB, nrB, hash3);
        key.Dispose();
        return size;
    }

    /// <summary>Informational HASH(1) keyed with SKEYID_a (RFC 2409 §5.7).</summary>
    public readonly int ComputeInformationalHash(uint messageId, ReadOnlySpan<byte> notificationOrDelete,
        Span<byte> hash1)
    {
        if (!_compact)
        {
            return Phase2KeySchedule.ComputeInformationalHash(in PreparedKey(SkeyidAKeyIndex), messageId, notificationOrDelete, hash1);
        }

        PrfKey key = Transient(SkeyidAKeyIndex);
        int size = Phase2KeySchedule.ComputeInformationalHash(in key, messageId, notificationOrDelete, hash1);
        key.Dispose();
        return size;
    }

    /// <summary>KEYMAT for one SA direction keyed with SKEYID_d (RFC 2409 §5.5).</summary>
    public readonly void ComputeKeymat(ReadOnlySpan<byte> quickModeSharedSecret, byte protocol, ReadOnlySpan<byte> spi,
        ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB, Span<byte> keymat)
    {
        if (!_compact)
        {
            Phase2KeySchedule.ComputeKeymat(in PreparedKey(SkeyidDKeyIndex), quickModeSharedSecret, protocol, spi, niB, nrB, keymat);
            return;
        }

        PrfKey key = Transient(SkeyidDKeyIndex);
        Phase2KeySchedule.ComputeKeymat(in key, quickModeSharedSecret, protocol, spi, niB, nrB, keymat);
        key.Dispose();
    }

    /// <summary>Checks a received HASH_I in constant time (RFC 2409 §5; the initiator's authenticator).</summary>
    public readonly bool VerifyHashI(ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr, ReadOnlySpan<byte> ckyI,
        ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> saiB, ReadOnlySpan<byte> idiiB, ReadOnlySpan<byte> received)
    {
        Span<byte> expected = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int size = ComputeHashI(gxi, gxr, ckyI, ckyR, saiB, idiiB, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..size], received);
    }

    /// <summary>Checks a received HASH_R in constant time (RFC 2409 §5; the responder's authenticator).</summary>
    public readonly bool VerifyHashR(ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr, ReadOnlySpan<byte> ckyI,
        ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> saiB, ReadOnlySpan<byte> idirB, ReadOnlySpan<byte> received)
    {
        Span<byte> expected = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int size = ComputeHashR(gxi, gxr, ckyI, ckyR, saiB, idirB, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..size], received);
    }

    /// <summary>Checks a received Quick Mode HASH(1) in constant time.</summary>
    public readonly bool VerifyQuickModeHash1(uint messageId, ReadOnlySpan<byte> rest, ReadOnlySpan<byte> received)
    {
        Span<byte> expected = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int size = ComputeQuickModeHash1(messageId, rest, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..size], received);
    }

    /// <summary>Checks a received Quick Mode HASH(2) in constant time.</summary>
    public readonly bool VerifyQuickModeHash2(uint messageId, ReadOnlySpan<byte> niB, ReadOnlySpan<byte> rest,
        ReadOnlySpan<byte> received)
    {
        Span<byte> expected = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int size = ComputeQuickModeHash2(messageId, niB, rest, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..size], received);
    }

    /// <summary>Checks a received Quick Mode HASH(3) in constant time.</summary>
    public readonly bool VerifyQuickModeHash3(uint messageId, ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB,
        ReadOnlySpan<byte> received)
    {
        Span<byte> expected = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int size = ComputeQuickModeHash3(messageId, niB, nrB, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..size], received);
    }

    /// <summary>Checks a received Informational HASH(1) in constant time.</summary>
    public readonly bool VerifyInformationalHash(uint messageId, ReadOnlySpan<byte> notificationOrDelete,
        ReadOnlySpan<byte> received)
    {
        Span<byte> expected = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int size = ComputeInformationalHash(messageId, notificationOrDelete, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..size], received);
    }

    /// <summary>Zeroes and returns the buffer and the prepared keys. Idempotent.</summary>
    public void Dispose()
    {
        _buffer.Dispose(); // zeroes the prepared keys and the secrets alike
        _compact = false;
    }

    /// <summary>True once <see cref="Compact"/> dropped the prepared keys.</summary>
    public readonly bool IsCompact => _compact;

    /// <summary>
    /// Drops the three prepared HMAC keys (816 bytes, which put the buffer in the 1 KiB size class) and SKEYID (only
    /// HASH_I/HASH_R use it, and they are done once the SA is established), and keeps SKEYID_d, SKEYID_a, SKEYID_e, Ka
    /// and the IV in a buffer of their size (128 bytes for SHA-256 and AES-128); the old buffer is zeroed on return.
    /// For an idle ISAKMP SA, which may not run another exchange for hours: every later PRF then prepares its key on
    /// the stack (two compressions more per call) and zeroes it. Idempotent.
    /// </summary>
    public void Compact()
    {
        if (_compact || !_buffer.IsAllocated)
        {
            return;
        }

        SecretBuffer small = SecretBuffer.Rent(SecretsLength - _prfSize);
        AfterSkeyid.CopyTo(small.Span);
        _buffer.Dispose();
        _buffer = small;
        _compact = true;
    }

    /// <summary>SKEYID, SKEYID_d, SKEYID_a, SKEYID_e, Ka and the IV.</summary>
    private readonly int SecretsLength => (4 * _prfSize) + _keySize + _blockSize;

    /// <summary>SKEYID, SKEYID_d, SKEYID_a, SKEYID_e, Ka and the IV, after the prepared keys (not compact only).</summary>
    private readonly Span<byte> Secrets => _buffer.Span[(PreparedKeyCount * s_preparedKeySize)..];

    /// <summary>SKEYID_d, SKEYID_a, SKEYID_e, Ka and the IV: after SKEYID, or the whole buffer once compact.</summary>
    private readonly Span<byte> AfterSkeyid => _compact ? _buffer.Span : Secrets[_prfSize..];

    /// <summary>A compact key material's HMAC key prepared for one call (the caller disposes it, which zeroes it).</summary>
    private readonly PrfKey Transient(int index)
    {
        ReadOnlySpan<byte> secret = index switch
        {
            SkeyidKeyIndex => Skeyid,
            SkeyidAKeyIndex => SkeyidA,
            _ => SkeyidD,
        };
        return PrfKey.Create(Hash, secret, HashBackend.Auto);
    }

    /// <summary>A prepared HMAC key stored in the pinned buffer (PrfKey is unmanaged: no references inside).</summary>
    private readonly ref PrfKey PreparedKey(int index) =>
        ref MemoryMarshal.AsRef<PrfKey>(_buffer.Span.Slice(index * s_preparedKeySize, s_preparedKeySize));

    private static Phase1KeyMaterial Allocate(IkeHashAlgorithm hash, int keySize, int blockSize)
    {
        int prfSize = IkeHashAlgorithmInfo.GetOutputSize(hash);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, prfSize);
        return new Phase1KeyMaterial
        {
            Hash = hash,
            _prfSize = prfSize,
            _keySize = keySize,
            _blockSize = blockSize,
            _buffer = SecretBuffer.Rent((PreparedKeyCount * s_preparedKeySize) + (4 * prfSize) + keySize + blockSize),
        };
    }

    private void DeriveRest(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ckyI,
        ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr)
    {
        Span<byte> all = Secrets;
        int p = _prfSize;
        PreparedKey(SkeyidKeyIndex).Initialize(Hash, all[..p], HashBackend.Auto);
        Phase1KeySchedule.ComputeSkeyidDerivatives(in PreparedKey(SkeyidKeyIndex), sharedSecret, ckyI, ckyR,
            all.Slice(p, p), all.Slice(2 * p, p), all.Slice(3 * p, p));
        PreparedKey(SkeyidDKeyIndex).Initialize(Hash, all.Slice(p, p), HashBackend.Auto);
        PreparedKey(SkeyidAKeyIndex).Initialize(Hash, all.Slice(2 * p, p), HashBackend.Auto);
        Phase1KeySchedule.ExpandEncryptionKey(Hash, all.Slice(3 * p, p), all.Slice(4 * p, _keySize));
        Phase1KeySchedule.ComputeInitialIv(Hash, gxi, gxr, all.Slice((4 * p) + _keySize, _blockSize));
    }
}
