using System.Security.Cryptography;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// One group's pending requests: a fixed ring of slots (bases and zero-padded exponents copied in), its kernel
/// and its reusable <see cref="ModExpBatch"/>. All buffers are allocated once.
/// <para>
/// Key pairs (base g: a pool refill, or a pair computed in a batch) and shared secrets (a peer's base) are batched
/// apart where that costs no lanes, because a batch of key pairs alone runs on a fixed-base comb where the kernel
/// has one (IFMA MODP: about a sixth of a variable-base batch; P-256 likewise): eight or more queued key pairs make a
/// batch of their own; otherwise shared secrets go first (in order) and key pairs fill the lanes they leave, so a
/// key pair never takes a shared secret's lane (which could cost a whole extra variable-base batch). Key pairs older
/// than the flush deadline go first (they cannot wait behind a steady stream of shared secrets). The lane count is
/// min(queued, lanes) as before, so kernels without a comb do the same work.
/// </para>
/// </summary>
internal sealed class ModExpGroupQueue : IDisposable
{
    private readonly byte[]? _prime;
    private readonly byte[] _bases;
    private readonly byte[] _exponents;
    private readonly int[] _exponentLengths;
    private readonly IModExpCompletion?[] _owners;
    private readonly long[] _tokens;
    private readonly TimeSpan[] _enqueuedAt;
    private readonly bool[] _keyPair;
    private readonly ModExpBatch _batch;
    private int _head;
    private int _count;
    private bool _batchInFlight;

    internal ModExpGroupQueue(DhGroupId group, IModExpLaneKernel kernel, int capacity)
    {
        Group = group;
        Kernel = kernel;
        ModulusLength = kernel.ModulusLength;
        // Curve groups (EcdhModExpKernel) check their points in the kernel; MODP bases are compared with p here.
        _prime = kernel is EcdhModExpKernel ? null : ModExpGroups.ForId(group).PrimeBytes;
        Capacity = capacity;
        _bases = new byte[capacity * ModulusLength];
        _exponents = new byte[capacity * ModulusLength];
        _exponentLengths = new int[capacity];
        _owners = new IModExpCompletion?[capacity];
        _tokens = new long[capacity];
        _enqueuedAt = new TimeSpan[capacity];
        _keyPair = new bool[capacity];
        _batch = new ModExpBatch(this, kernel.MaxLanes, ModulusLength);
    }

    internal DhGroupId Group { get; }

    internal IModExpLaneKernel Kernel { get; }

    internal int ModulusLength { get; }

    internal int Capacity { get; }

    internal int Count => _count;

    /// <summary>When the oldest pending request was queued (meaningful only when <see cref="Count"/> &gt; 0).</summary>
    internal TimeSpan OldestEnqueuedAt => _enqueuedAt[_head];

    internal ModExpEnqueueResult TryEnqueue(
        ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, IModExpCompletion owner, long token, TimeSpan now)
    {
        int len = ModulusLength;
        if (exponent.IsEmpty || exponent.Length > len)
        {
            return ModExpEnqueueResult.ExponentLengthInvalid;
        }

        // The base is public (g or the peer's KE data): compare with p, left-padded to the prime's length.
        if (@base.Length > len || (_prime is not null && !BelowPrime(@base)))
        {
            return ModExpEnqueueResult.BaseOutOfRange;
        }

        if (_count == Capacity)
        {
            return ModExpEnqueueResult.QueueFull;
        }

        int slot = (_head + _count) % Capacity;
        Span<byte> b = _bases.AsSpan(slot * len, len);
        b[..(len - @base.Length)].Clear();
        @base.CopyTo(b[(len - @base.Length)..]);
        Span<byte> e = _exponents.AsSpan(slot * len, len);
        e[..(len - exponent.Length)].Clear();
        exponent.CopyTo(e[(len - exponent.Length)..]);
        _exponentLengths[slot] = exponent.Length;
        _owners[slot] = owner;
        _tokens[slot] = token;
        _enqueuedAt[slot] = now;
        _keyPair[slot] = _prime is not null ? ModpKeyPairBases.IsGenerator(@base) : owner is EphemeralKeyPairPool;
        _count++;
        return ModExpEnqueueResult.Queued;
    }

    /// <summary>When the oldest request must run (full batches are due at once), or null when idle.</summary>
    internal TimeSpan? Deadline(TimeSpan flushDeadline)
    {
        if (_count == 0 || _batchInFlight)
        {
            return null;
        }

        return _count >= Kernel.MaxLanes ? TimeSpan.MinValue : _enqueuedAt[_head] + flushDeadline;
    }

    /// <summary>Moves up to eight requests into the batch when the lanes are full or the oldest has waited long enough.</summary>
    internal ModExpBatch? TryTake(TimeSpan now, TimeSpan flushDeadline)
    {
        if (Deadline(flushDeadline) is not { } due || now < due)
        {
            return null;
        }

        int lanes = Math.Min(_count, Kernel.MaxLanes);
        Span<int> picked = stackalloc int[lanes]; // positions after the head, in the order the lanes take them
        Pick(picked, now, flushDeadline);
        int exponentLength = 0;
        for (int k = 0; k < lanes; k++)
        {
            exponentLength = Math.Max(exponentLength, _exponentLengths[(_head + picked[k]) % Capacity]);
        }

        int len = ModulusLength;
        _batch.Begin(exponentLength);
        for (int k = 0; k < lanes; k++)
        {
            int slot = (_head + picked[k]) % Capacity;
            Span<byte> e = _exponents.AsSpan(slot * len, len);
            _batch.Add(_bases.AsSpan(slot * len, len), e, _owners[slot]!, _tokens[slot]);
            CryptographicOperations.ZeroMemory(e);
            _owners[slot] = null;
        }

        RemovePicked(picked);
        _batchInFlight = true;
        return _batch;
    }

    /// <summary>
    /// Chooses the batch's requests (see the class remarks). Whether a request is a key pair is public (its base is g),
    /// so the choice reveals nothing about exponents.
    /// </summary>
    private void Pick(Span<int> picked, TimeSpan now, TimeSpan flushDeadline)
    {
        int keyPairs = 0;
        int oldestKeyPair = -1;
        for (int i = 0; i < _count; i++)
        {
            if (_keyPair[(_head + i) % Capacity])
            {
                keyPairs++;
                oldestKeyPair = oldestKeyPair < 0 ? i : oldestKeyPair;
            }
        }

        bool keyPairsFirst = keyPairs >= Kernel.MaxLanes
            || (oldestKeyPair >= 0 && _enqueuedAt[(_head + oldestKeyPair) % Capacity] + flushDeadline <= now);
        int n = 0;
        foreach (bool keyPair in (ReadOnlySpan<bool>)[keyPairsFirst, !keyPairsFirst])
        {
            for (int i = 0; i < _count && n < picked.Length; i++)
            {
                if (_keyPair[(_head + i) % Capacity] == keyPair)
                {
                    picked[n++] = i;
                }
            }
        }
    }

    /// <summary>Takes the picked positions out of the ring, the others keeping their order (moved towards the head).</summary>
    private void RemovePicked(ReadOnlySpan<int> picked)
    {
        int lanes = picked.Length;
        bool prefix = true;
        for (int k = 0; k < lanes && prefix; k++)
        {
            prefix = picked[k] == k;
        }

        if (!prefix)
        {
            int len = ModulusLength;
            int write = 0;
            for (int read = 0; read < _count; read++)
            {
                if (picked.Contains(read))
                {
                    continue;
                }

                if (read != write)
                {
                    int from = (_head + read) % Capacity;
                    int to = (_head + write) % Capacity;
                    _bases.AsSpan(from * len, len).CopyTo(_bases.AsSpan(to * len, len));
                    Span<byte> e = _exponents.AsSpan(from * len, len);
                    e.CopyTo(_exponents.AsSpan(to * len, len));
                    CryptographicOperations.ZeroMemory(e);
                    _exponentLengths[to] = _exponentLengths[from];
                    _owners[to] = _owners[from];
                    _owners[from] = null;
                    _tokens[to] = _tokens[from];
                    _enqueuedAt[to] = _enqueuedAt[from];
                    _keyPair[to] = _keyPair[from];
                }

                write++;
            }

            // The remaining requests now sit at positions [0, _count - lanes): the freed slots are the ring's last ones.
            _count -= lanes;
            return;
        }

        _head = (_head + lanes) % Capacity;
        _count -= lanes;
    }

    internal void Release() => _batchInFlight = false;

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_exponents);
        Kernel.Dispose();
    }

    private bool BelowPrime(ReadOnlySpan<byte> @base)
    {
        byte[] prime = _prime!;
        int pad = prime.Length - @base.Length;
        for (int i = 0; i < pad; i++)
        {
            if (prime[i] != 0)
            {
                return true; // a shorter base is below a prime whose top byte is non-zero
            }
        }

        return @base.SequenceCompareTo(prime.AsSpan(pad)) < 0;
    }
}
