using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Ephemeral Diffie-Hellman key pairs of one group (MODP, X25519 or P-256) computed ahead of demand, in full batches of eight on a
/// <see cref="ModExpBatcher"/> (the pool is just another owner of requests there). Every pair is handed out once:
/// <see cref="TryTake"/> removes it, <see cref="Release"/> wipes it. Slots are allocated once. Thread-safe (the
/// worker thread completes pairs while handshakes take them).
/// </summary>
public sealed class EphemeralKeyPairPool : IModExpCompletion
{
    private const int BatchLanes = 8;
    private readonly object _gate = new();
    private readonly EphemeralKeyPair[] _slots;
    private readonly int[] _ready;
    private readonly IDhRandomSource _random;
    private readonly byte[] _generator;
    private readonly byte[] _privateKeyLimit;
    private int _readyHead;
    private int _readyCount;
    private int _pending;
    private bool _refilling;

    /// <summary>
    /// A pool of <paramref name="capacity"/> pairs for <paramref name="group"/>, refilled when fewer than
    /// <paramref name="lowWatermark"/> are ready or queued. <paramref name="privateKeyLength"/> 0 picks
    /// <see cref="DefaultPrivateKeyLength"/>.
    /// </summary>
    public EphemeralKeyPairPool(DhGroupId group, int capacity, IDhRandomSource random, int lowWatermark = -1, int privateKeyLength = 0)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, BatchLanes);
        // P-256 (RFC 5903 §7, FIPS 186-4 B.4.2): a pair is d in [1, n - 1] by rejection sampling and d G as x || y, on
        // the batcher's ECDH lanes (the kernel writes y after x when the slot has room).
        // X25519 (RFC 7748 §6.1): a pair is a random 32-byte scalar (clamped by the kernel) and scalar * u(9), on the
        // batcher's ECDH lanes; every other group is MODP: g^x mod p.
        bool x25519 = group == DhGroupId.Curve25519;
        bool p256 = group == DhGroupId.Ecp256;
        int modulusLength = x25519 ? X25519Length : p256 ? P256Constants.PointLength : ModExpGroups.ForId(group).ByteLength;
        Group = group;
        _random = random;
        PrivateKeyLength = privateKeyLength == 0 ? DefaultPrivateKeyLength(group) : privateKeyLength;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PrivateKeyLength, p256 ? P256Constants.ScalarLength : modulusLength, nameof(privateKeyLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(PrivateKeyLength, 1, nameof(privateKeyLength));
        LowWatermark = lowWatermark < 0 ? capacity / 2 : lowWatermark;
        _generator = x25519 ? X25519BasePoint() : p256 ? P256Constants.Generator.ToArray() : [(byte)ModpGroup.Generator];
        _privateKeyLimit = x25519 ? [] : p256 ? P256Constants.Order.ToArray() : ModExpGroups.ForId(group).PrimeMinusOneBytes;
        _slots = new EphemeralKeyPair[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _slots[i] = new EphemeralKeyPair(this, i, PrivateKeyLength, modulusLength);
        }

        _ready = new int[capacity];
        _candidates = GC.AllocateArray<byte>(MaxRefillBatches * BatchLanes * PrivateKeyLength, pinned: true);
    }

    /// <summary>A refill's private keys drawn with one call of the random source (wiped after the refill).</summary>
    private readonly byte[] _candidates;

    private const int X25519Length = 32;

    /// <summary>Batches of key pairs one <see cref="Refill"/> queues at most.</summary>
    public const int MaxRefillBatches = 2;

    /// <summary>The group.</summary>
    public DhGroupId Group { get; }

    /// <summary>Bytes of every private exponent (public policy: the work depends on it, not on the values).</summary>
    public int PrivateKeyLength { get; }

    /// <summary>Refill starts when ready plus queued pairs drop below this.</summary>
    public int LowWatermark { get; }

    /// <summary>True when a <see cref="Refill"/> would queue: below <see cref="LowWatermark"/>, or a refill up to capacity under way.</summary>
    public bool NeedsRefill
    {
        get
        {
            lock (_gate)
            {
                return _refilling || _readyCount + _pending < LowWatermark;
            }
        }
    }

    /// <summary>Pairs ready to take.</summary>
    public int Available
    {
        get
        {
            lock (_gate)
            {
                return _readyCount;
            }
        }
    }

    /// <summary>
    /// Private exponent length by group: at least twice the group's symmetric strength (RFC 3526 section 8 table),
    /// rounded up to whole 64-bit words: 256 bits up to 2048-bit groups, then 320, 384, 448, 512.
    /// </summary>
    public static int DefaultPrivateKeyLength(DhGroupId group) => group switch
    {
        DhGroupId.Modp3072 => 40,
        DhGroupId.Modp4096 => 48,
        DhGroupId.Modp6144 => 56,
        DhGroupId.Modp8192 => 64,
        _ => 32,
    };

    /// <summary>
    /// When below the low watermark, queues fresh pairs on <paramref name="batcher"/> in full batches of eight
    /// (base g, random exponents) up to capacity. Returns how many were queued.
    /// </summary>
    public int Refill(ModExpBatcher batcher, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(batcher);
        lock (_gate)
        {
            if (!_refilling && _readyCount + _pending >= LowWatermark)
            {
                return 0;
            }

            _refilling = true; // from the low watermark up to capacity, a few batches per call

            int queued = 0;
            int free = CountFree();
            // At most MaxRefillBatches batches per call: the worker runs them and comes back between, so a shared
            // secret queued meanwhile waits behind two batches of key pairs, not behind a whole refill.
            int toQueue = Math.Min(free - (free % BatchLanes), MaxRefillBatches * BatchLanes);
            // One call of the random source for the whole refill (the worker holds its lock here, and submitters wait
            // for it): a candidate out of range is drawn again on its own.
            int length = PrivateKeyLength;
            _random.Fill(_candidates.AsSpan(0, toQueue * length));
            for (int i = 0; i < _slots.Length && queued < toQueue; i++)
            {
                EphemeralKeyPair slot = _slots[i];
                if (slot.State != EphemeralKeyPairState.Free)
                {
                    continue;
                }

                _candidates.AsSpan(queued * length, length).CopyTo(slot.PrivateKeyBuffer);
                if (!InRange(slot.PrivateKeyBuffer))
                {
                    NewPrivateKey(slot.PrivateKeyBuffer);
                }

                ModExpEnqueueResult result = batcher.TryEnqueue(Group, _generator, slot.PrivateKeyBuffer, this, slot.Slot, now);
                if (result != ModExpEnqueueResult.Queued)
                {
                    CryptographicOperations.ZeroMemory(slot.PrivateKeyBuffer);
                    break; // queue full: try again next time
                }

                slot.State = EphemeralKeyPairState.Pending;
                _pending++;
                queued++;
            }

            CryptographicOperations.ZeroMemory(_candidates);
            if (CountFree() < BatchLanes)
            {
                _refilling = false;
            }

            return queued;
        }
    }

    /// <summary>Takes a ready pair (removed from the pool until released), or false when none is ready.</summary>
    public bool TryTake([NotNullWhen(true)] out EphemeralKeyPair? pair)
    {
        lock (_gate)
        {
            if (_readyCount == 0)
            {
                pair = null;
                return false;
            }

            pair = _slots[_ready[_readyHead]];
            _readyHead = (_readyHead + 1) % _ready.Length;
            _readyCount--;
            pair.State = EphemeralKeyPairState.Taken;
            return true;
        }
    }

    /// <summary>Wipes a taken pair and frees its slot for a future refill.</summary>
    public void Release(EphemeralKeyPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        lock (_gate)
        {
            if (pair.Slot >= _slots.Length || !ReferenceEquals(_slots[pair.Slot], pair) || pair.State != EphemeralKeyPairState.Taken)
            {
                throw new InvalidOperationException("The pair is not a taken pair of this pool.");
            }

            CryptographicOperations.ZeroMemory(pair.PrivateKeyBuffer);
            CryptographicOperations.ZeroMemory(pair.PublicKeyBuffer);
            pair.State = EphemeralKeyPairState.Free;
        }
    }

    /// <inheritdoc/>
    void IModExpCompletion.OnModExpCompleted(long token, ReadOnlySpan<byte> result)
    {
        lock (_gate)
        {
            EphemeralKeyPair slot = _slots[(int)token];
            result.CopyTo(slot.PublicKeyBuffer);
            slot.State = EphemeralKeyPairState.Ready;
            _pending--;
            _ready[(_readyHead + _readyCount) % _ready.Length] = slot.Slot;
            _readyCount++;
        }
    }

    private int CountFree()
    {
        int free = 0;
        foreach (EphemeralKeyPair slot in _slots)
        {
            free += slot.State == EphemeralKeyPairState.Free ? 1 : 0;
        }

        return free;
    }

    /// <summary>
    /// A uniformly random exponent of <see cref="PrivateKeyLength"/> bytes in [2, p - 2] (MODP) or [2, n - 1] (P-256)
    /// (rejection sampling: a retry reveals only that a discarded candidate was out of range).
    /// </summary>
    internal void NewPrivateKey(Span<byte> key)
    {
        do
        {
            _random.Fill(key);
        }
        while (!InRange(key));
    }

    /// <summary>The candidate is in [2, p - 2] (MODP) or [2, n - 1] (P-256); X25519 any value but 0 and 1 (clamped later).</summary>
    private bool InRange(ReadOnlySpan<byte> key)
    {
        bool tooSmall = key[..^1].IndexOfAnyExcept((byte)0) < 0 && key[^1] < 2;
        bool tooLarge = key.Length == _privateKeyLimit.Length && key.SequenceCompareTo(_privateKeyLimit) >= 0;
        return !tooSmall && !tooLarge;
    }

    /// <summary>u = 9, little-endian (RFC 7748 §4.1).</summary>
    private static byte[] X25519BasePoint()
    {
        byte[] u = new byte[X25519Length];
        u[0] = 9;
        return u;
    }
}
