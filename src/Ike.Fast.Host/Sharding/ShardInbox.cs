using System.Net;
using Ike.Native.Udp;

namespace Ike.Fast.Host.Sharding;

/// <summary>
/// A shard's lock-free inbound queue: many producers (the dispatcher thread, or other shards forwarding a datagram
/// the kernel did not steer), one consumer (the shard's loop). A bounded ring with a sequence number per cell (Vyukov's
/// MPMC scheme, used here with a single consumer): producers claim a cell with one compare-and-swap, copy the datagram
/// into the cell's slice of a pinned slab, then publish it; nothing is allocated per datagram. A full ring drops (and
/// counts) rather than blocks: an overloaded shard must not stall the receiver of every other shard. An eventfd wakes
/// the consumer when it sleeps in poll(2).
/// </summary>
internal sealed class ShardInbox : IDisposable
{
    private readonly long[] _sequence;
    private readonly int[] _length;
    private readonly bool[] _passedOn;
    private readonly IPEndPoint?[] _local;
    private readonly IPEndPoint?[] _remote;
    private readonly byte[] _slab;
    private readonly byte[]?[] _oversized;
    private readonly int _mask;
    private readonly int _cellSize;
    private long _enqueue;
    private long _dequeue;
    private int _sleeping;
    private long _dropped;
    private int _disposed;

    /// <param name="capacity">Cells (rounded up to a power of two).</param>
    /// <param name="cellSize">Bytes per cell; a larger datagram gets its own array (rare: IKE fragments are smaller).</param>
    public ShardInbox(int capacity, int cellSize)
    {
        capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _mask = capacity - 1;
        _cellSize = cellSize;
        _sequence = new long[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _sequence[i] = i;
        }

        _length = new int[capacity];
        _passedOn = new bool[capacity];
        _local = new IPEndPoint?[capacity];
        _remote = new IPEndPoint?[capacity];
        _oversized = new byte[]?[capacity];
        _slab = GC.AllocateUninitializedArray<byte>(capacity * cellSize, pinned: true);
        WakeDescriptor = UdpBatch.IsSupported ? UdpBatch.CreateEvent() : -1;
    }

    public int Capacity => _mask + 1;

    /// <summary>The eventfd the consumer polls together with its sockets (-1 without the native library).</summary>
    public int WakeDescriptor { get; }

    /// <summary>Datagrams refused because the ring was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queued now (approximate from another thread).</summary>
    public int Count => (int)Math.Max(0, Volatile.Read(ref _enqueue) - Volatile.Read(ref _dequeue));

    /// <summary>Producer side (any thread). False = full, dropped.</summary>
    /// <param name="passedOn">The datagram was passed on by another shard that found no SA for its cookies (NAT
    /// rebinding, <see cref="ShardSteering"/>): the consumer must not pass it on again.</param>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram, IPEndPoint local, IPEndPoint remote, bool passedOn = false)
    {
        var position = Volatile.Read(ref _enqueue);
        while (true)
        {
            var cell = (int)(position & _mask);
            var difference = Volatile.Read(ref _sequence[cell]) - position;
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref _enqueue, position + 1, position) == position)
                {
                    if (datagram.Length <= _cellSize)
                    {
                        datagram.CopyTo(_slab.AsSpan(cell * _cellSize, _cellSize));
                        _oversized[cell] = null;
                    }
                    else
                    {
                        _oversized[cell] = datagram.ToArray();
                    }

                    _length[cell] = datagram.Length;
                    _passedOn[cell] = passedOn;
                    _local[cell] = local;
                    _remote[cell] = remote;
                    Volatile.Write(ref _sequence[cell], position + 1);
                    return true;
                }

                position = Volatile.Read(ref _enqueue);
            }
            else if (difference < 0)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }
            else
            {
                position = Volatile.Read(ref _enqueue);
            }
        }
    }

    /// <summary>Consumer side (the shard's loop only): copies the oldest datagram into <paramref name="buffer"/>.</summary>
    public bool TryDequeue(Span<byte> buffer, out int length, out IPEndPoint local, out IPEndPoint remote) =>
        TryDequeue(buffer, out length, out local, out remote, out _);

    /// <summary>Consumer side: as above, with whether another shard passed it on (see <see cref="TryEnqueue"/>).</summary>
    public bool TryDequeue(Span<byte> buffer, out int length, out IPEndPoint local, out IPEndPoint remote, out bool passedOn)
    {
        var position = _dequeue;
        var cell = (int)(position & _mask);
        if (Volatile.Read(ref _sequence[cell]) - (position + 1) < 0)
        {
            length = 0;
            local = remote = null!;
            passedOn = false;
            return false;
        }

        passedOn = _passedOn[cell];

        var source = _oversized[cell] is { } big ? big.AsSpan() : _slab.AsSpan(cell * _cellSize, _length[cell]);
        length = Math.Min(source.Length, buffer.Length);
        source[..length].CopyTo(buffer);
        local = _local[cell]!;
        remote = _remote[cell]!;
        _oversized[cell] = null;
        Volatile.Write(ref _sequence[cell], position + Capacity);
        Volatile.Write(ref _dequeue, position + 1);
        return true;
    }

    public bool IsEmpty => Volatile.Read(ref _sequence[(int)(_dequeue & _mask)]) - (_dequeue + 1) < 0;

    /// <summary>Consumer: about to sleep; the caller re-checks <see cref="IsEmpty"/> after this (no lost wake-up).</summary>
    public void PrepareToSleep() => Interlocked.Exchange(ref _sleeping, 1);

    /// <summary>Consumer: awake again; drains the eventfd.</summary>
    public void Awake()
    {
        Volatile.Write(ref _sleeping, 0);
        if (WakeDescriptor >= 0)
        {
            UdpBatch.DrainEvent(WakeDescriptor);
        }
    }

    /// <summary>Producer, after enqueueing: wakes the consumer if it announced it sleeps (one syscall per sleep at most).</summary>
    public void WakeIfSleeping()
    {
        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1 && WakeDescriptor >= 0)
        {
            UdpBatch.SignalEvent(WakeDescriptor);
        }
    }

    public void Dispose()
    {
        if (WakeDescriptor >= 0 && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            UdpBatch.CloseEvent(WakeDescriptor);
        }
    }
}
