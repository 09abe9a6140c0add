namespace Ike.Fast.Crypto;

/// <summary>
/// Pool of pinned (pinned object heap) byte arrays in power-of-two size classes from 64 bytes to 4 KiB, shared by
/// all threads behind one lock per class. Arrays come back zeroed (<see cref="SecretBuffer.Dispose"/> clears them
/// before returning). Larger requests get a fresh pinned array that is not pooled.
/// </summary>
internal static class SecretBufferPool
{
    private const int MinShift = 6;            // 64 bytes
    private const int MaxShift = 12;           // 4096 bytes
    // Enough for the Phase 1 key material of every handshake in flight on a busy host (initiators and responders of
    // all threads share it): at 64, 50 concurrent handshakes on each side of one process overflowed the 2 KiB class
    // and each handshake allocated its pinned key buffer anew. At most 256 arrays per class are kept (256 KiB in the
    // 1 KiB class, where the Phase 1 key material falls), and only after a peak that needed them; not more, as Return scans the pooled arrays for a double
    // return.
    private const int PerClassCapacity = 256;

    private static readonly Bucket[] s_buckets = CreateBuckets();

    internal static byte[] Rent(int length)
    {
        int shift = ClassShift(length);
        if (shift > MaxShift)
        {
            return GC.AllocateArray<byte>(length, pinned: true);
        }

        return s_buckets[shift - MinShift].Rent() ?? GC.AllocateArray<byte>(1 << shift, pinned: true);
    }

    internal static void Return(byte[] array)
    {
        int length = array.Length;
        if ((length & (length - 1)) != 0 || length < (1 << MinShift) || length > (1 << MaxShift))
        {
            return; // not one of ours: let the GC have it (already zeroed by the caller)
        }

        s_buckets[ClassShift(length) - MinShift].Return(array);
    }

    /// <summary>
    /// Drops every pooled array (the GC takes them): for tests that measure the memory a process retains per SA, where
    /// a cache whose level follows the handshake rate (and other threads' use) would blur the figure.
    /// </summary>
    internal static void Trim()
    {
        foreach (Bucket bucket in s_buckets)
        {
            while (bucket.Rent() is not null)
            {
            }
        }
    }

    private static int ClassShift(int length)
    {
        int shift = MinShift;
        while ((1 << shift) < length && shift <= MaxShift)
        {
            shift++;
        }

        return shift;
    }

    private static Bucket[] CreateBuckets()
    {
        var buckets = new Bucket[MaxShift - MinShift + 1];
        for (int i = 0; i < buckets.Length; i++)
        {
            buckets[i] = new Bucket();
        }

        return buckets;
    }

    private sealed class Bucket
    {
        private readonly byte[]?[] _items = new byte[]?[PerClassCapacity];
        private readonly Lock _lock = new();
        private int _count;

        internal byte[]? Rent()
        {
            lock (_lock)
            {
                if (_count == 0)
                {
                    return null;
                }

                byte[]? item = _items[--_count];
                _items[_count] = null;
                return item;
            }
        }

        internal void Return(byte[] array)
        {
            lock (_lock)
            {
                // A copied SecretBuffer handle disposed twice must not put one array in the pool twice (it would
                // then be rented to two owners at once): ignore a return of an array already pooled.
                for (int i = 0; i < _count; i++)
                {
                    if (ReferenceEquals(_items[i], array))
                    {
                        return;
                    }
                }

                if (_count < _items.Length)
                {
                    _items[_count++] = array;
                }
            }
        }
    }
}
