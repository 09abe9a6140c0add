using System.Security.Cryptography;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// One group's pending requests: a fixed ring of slots (bases and zero-padded exponents copied in), its kernel
/// and its reusable <see cref="ModExpBatch"/>. All buffers are allocated once.
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
        int exponentLength = 0;
        for (int k = 0; k < lanes; k++)
        {
            exponentLength = Math.Max(exponentLength, _exponentLengths[(_head + k) % Capacity]);
        }

        int len = ModulusLength;
        _batch.Begin(exponentLength);
        for (int k = 0; k < lanes; k++)
        {
            int slot = (_head + k) % Capacity;
            Span<byte> e = _exponents.AsSpan(slot * len, len);
            _batch.Add(_bases.AsSpan(slot * len, len), e, _owners[slot]!, _tokens[slot]);
            CryptographicOperations.ZeroMemory(e);
            _owners[slot] = null;
        }

        _head = (_head + lanes) % Capacity;
        _count -= lanes;
        _batchInFlight = true;
        return _batch;
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
