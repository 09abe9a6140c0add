namespace Ike.Fast.Host.Sharding;

/// <summary>
/// A shard's inbound queue of <see cref="ShardMessage"/> values from the other shards: a bounded lock-free ring with a
/// sequence number per cell (Vyukov's scheme, as <see cref="ShardInbox"/> for datagrams), many producers, one consumer
/// (the shard's loop). Posting claims a cell with one compare-and-swap and copies the value in: no lock, no allocation.
/// A full ring refuses (counted): a message is a courtesy between shards, never worth stalling a shard's loop for.
/// </summary>
internal sealed class ShardMailbox
{
    private readonly long[] _sequence;
    private readonly ShardMessage[] _cells;
    private readonly int _mask;
    private long _enqueue;
    private long _dequeue;
    private long _refused;

    public ShardMailbox(int capacity)
    {
        capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _mask = capacity - 1;
        _sequence = new long[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _sequence[i] = i;
        }

        _cells = new ShardMessage[capacity];
    }

    /// <summary>Messages refused because the ring was full.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Whether a message waits (the consumer's check before it sleeps; any thread).</summary>
    public bool HasMail
    {
        get
        {
            var position = Volatile.Read(ref _dequeue);
            return Volatile.Read(ref _sequence[(int)(position & _mask)]) - (position + 1) >= 0;
        }
    }

    /// <summary>Producer side (any thread). False = full.</summary>
    public bool TryPost(in ShardMessage message)
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
                    _cells[cell] = message;
                    Volatile.Write(ref _sequence[cell], position + 1);
                    return true;
                }
            }
            else if (difference < 0)
            {
                Interlocked.Increment(ref _refused);
                return false;
            }

            position = Volatile.Read(ref _enqueue);
        }
    }

    /// <summary>Consumer side (the shard's loop only).</summary>
    public bool TryTake(out ShardMessage message)
    {
        var position = _dequeue;
        var cell = (int)(position & _mask);
        if (Volatile.Read(ref _sequence[cell]) - (position + 1) < 0)
        {
            message = default;
            return false;
        }

        message = _cells[cell];
        _cells[cell] = default; // no reference kept to the pairs or the identity
        Volatile.Write(ref _sequence[cell], position + _mask + 1);
        Volatile.Write(ref _dequeue, position + 1);
        return true;
    }
}
