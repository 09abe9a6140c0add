using System.Numerics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>The sans-IO batcher: flush on full lanes or deadline, per-group batches, back-pressure, zero allocation.</summary>
public class ModExpBatcherTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMicroseconds(200);

    private static ModExpBatcher NewBatcher(int capacity = 64) =>
        new(new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native, FlushDeadline = Deadline }, capacity);

    [Fact]
    public void Partial_batch_waits_for_the_deadline_then_runs()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        var requests = Enqueue(batcher, owner, DhGroupId.Modp1024, 3, new Random(1), TimeSpan.Zero);
        Assert.Equal(Deadline, batcher.NextDeadline);
        Assert.Equal(0, batcher.Poll(TimeSpan.FromMicroseconds(199)));
        Assert.Equal(0, owner.Count);
        Assert.Equal(3, batcher.Poll(Deadline));
        Assert.Null(batcher.NextDeadline);
        AssertResults(owner, requests, DhGroupId.Modp1024);
    }

    [Fact]
    public void Full_lanes_run_at_once_and_the_rest_waits()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        var requests = Enqueue(batcher, owner, DhGroupId.Modp1536, 20, new Random(2), TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.MinValue, batcher.NextDeadline);
        Assert.Equal(16, batcher.Poll(TimeSpan.FromSeconds(1)));
        Assert.Equal(4, batcher.PendingCount(DhGroupId.Modp1536));
        Assert.Equal(4, batcher.Poll(TimeSpan.FromSeconds(1) + Deadline));
        AssertResults(owner, requests, DhGroupId.Modp1536);
        Assert.Equal(new ModExpBatchCounters(3, 20, 1, Deadline), batcher.Counters);
    }

    [Fact]
    public void Lone_request_waits_exactly_the_deadline_and_full_lanes_wait_nothing()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        TimeSpan t0 = TimeSpan.FromSeconds(5);
        Enqueue(batcher, owner, DhGroupId.Modp768, 8, new Random(4), t0);
        Assert.Equal(8, batcher.Poll(t0));
        Assert.Equal(new ModExpBatchCounters(1, 8, 0, TimeSpan.Zero), batcher.Counters);

        // A lone request is the worst case of batching: its added latency is the configured deadline, no more.
        Enqueue(batcher, new RecordingCompletion(), DhGroupId.Modp768, 1, new Random(5), t0);
        Assert.Equal(t0 + Deadline, batcher.NextDeadline);
        Assert.Equal(0, batcher.Poll(t0 + Deadline - TimeSpan.FromTicks(1)));
        Assert.Equal(1, batcher.Poll(t0 + Deadline));
        Assert.Equal(new ModExpBatchCounters(2, 9, 1, Deadline), batcher.Counters);
    }

    [Fact]
    public void Groups_are_batched_separately_and_exponent_lengths_are_padded()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        var random = new Random(3);
        var requests = new List<(long Token, DhGroupId Group, byte[] Base, byte[] Exponent)>();
        long token = 0;
        foreach (DhGroupId group in (DhGroupId[])[DhGroupId.Modp768, DhGroupId.Modp2048, DhGroupId.Modp768, DhGroupId.Modp2048, DhGroupId.Modp768])
        {
            int len = ModExpGroups.ForId(group).ByteLength;
            var b = new byte[1 + random.Next(len - 1)]; // shorter than the prime: left-padded
            random.NextBytes(b);
            var e = new byte[1 + random.Next(64)];       // different lengths in one batch
            random.NextBytes(e);
            Assert.Equal(ModExpEnqueueResult.Queued, batcher.TryEnqueue(group, b, e, owner, token, TimeSpan.Zero));
            requests.Add((token++, group, b, e));
        }

        Assert.Equal(5, batcher.Poll(Deadline));
        foreach (var (t, group, b, e) in requests)
        {
            BigInteger p = ModExpTestSupport.ToBig(ModExpGroups.ForId(group).PrimeBytes);
            Assert.Equal(BigInteger.ModPow(ModExpTestSupport.ToBig(b), ModExpTestSupport.ToBig(e), p), ModExpTestSupport.ToBig(owner[t]));
        }
    }

    [Fact]
    public void Refuses_bad_input_and_applies_back_pressure()
    {
        using ModExpBatcher batcher = NewBatcher(capacity: 8);
        var owner = new RecordingCompletion();
        byte[] prime = ModExpGroups.ForId(DhGroupId.Modp768).PrimeBytes;
        byte[] two = [2];
        Assert.Equal(ModExpEnqueueResult.BaseOutOfRange, batcher.TryEnqueue(DhGroupId.Modp768, prime, two, owner, 0, TimeSpan.Zero));
        Assert.Equal(ModExpEnqueueResult.BaseOutOfRange, batcher.TryEnqueue(DhGroupId.Modp768, new byte[97], two, owner, 0, TimeSpan.Zero));
        Assert.Equal(ModExpEnqueueResult.ExponentLengthInvalid, batcher.TryEnqueue(DhGroupId.Modp768, two, [], owner, 0, TimeSpan.Zero));
        Assert.Equal(ModExpEnqueueResult.ExponentLengthInvalid, batcher.TryEnqueue(DhGroupId.Modp768, two, new byte[97], owner, 0, TimeSpan.Zero));
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(ModExpEnqueueResult.Queued, batcher.TryEnqueue(DhGroupId.Modp768, two, two, owner, i, TimeSpan.Zero));
        }

        Assert.Equal(ModExpEnqueueResult.QueueFull, batcher.TryEnqueue(DhGroupId.Modp768, two, two, owner, 9, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => batcher.TryEnqueue(DhGroupId.Ecp256, two, two, owner, 0, TimeSpan.Zero));
        Assert.Equal(8, batcher.Poll(TimeSpan.Zero));
        Assert.Equal(BigInteger.One << 2, ModExpTestSupport.ToBig(owner[3]));
    }

    [Fact]
    public void Take_execute_complete_keeps_one_batch_per_group_in_flight()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        Enqueue(batcher, owner, DhGroupId.Modp768, 16, new Random(4), TimeSpan.Zero);
        Assert.True(batcher.TryTakeBatch(TimeSpan.Zero, out ModExpBatch? first));
        Assert.Equal(8, first.Lanes);
        Assert.Equal(DhGroupId.Modp768, first.Group);
        Assert.False(batcher.TryTakeBatch(TimeSpan.Zero, out _)); // the group's batch is in flight
        first.Execute();
        first.Complete();
        Assert.True(batcher.TryTakeBatch(TimeSpan.Zero, out ModExpBatch? second));
        second.Execute();
        second.Complete();
        Assert.Equal(16, owner.Count);
    }

    [Fact]
    public void Steady_state_enqueue_and_poll_allocate_nothing()
    {
        using ModExpBatcher batcher = NewBatcher();
        batcher.Prepare(DhGroupId.Modp1024);
        var owner = new CountingCompletion();
        byte[] @base = [2];
        byte[] exponent = new byte[32];
        new Random(5).NextBytes(exponent);
        for (int i = 0; i < 16; i++)
        {
            batcher.TryEnqueue(DhGroupId.Modp1024, @base, exponent, owner, i, TimeSpan.Zero);
        }

        batcher.Poll(TimeSpan.Zero);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 11; i++)
            {
                batcher.TryEnqueue(DhGroupId.Modp1024, @base, exponent, owner, i, TimeSpan.FromSeconds(round));
            }

            batcher.Poll(TimeSpan.FromSeconds(round) + Deadline);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(16 + 44, owner.Count);
    }

    internal static List<(long Token, byte[] Base, byte[] Exponent)> Enqueue(
        ModExpBatcher batcher, IModExpCompletion owner, DhGroupId group, int count, Random random, TimeSpan now)
    {
        byte[] prime = ModExpGroups.ForId(group).PrimeBytes;
        var list = new List<(long, byte[], byte[])>();
        for (int i = 0; i < count; i++)
        {
            var b = new byte[prime.Length];
            ModExpTestSupport.RandomBase(random, ModExpTestSupport.ToBig(prime), b);
            var e = new byte[32];
            random.NextBytes(e);
            Assert.Equal(ModExpEnqueueResult.Queued, batcher.TryEnqueue(group, b, e, owner, 100 + i, now));
            list.Add((100 + i, b, e));
        }

        return list;
    }

    internal static void AssertResults(RecordingCompletion owner, List<(long Token, byte[] Base, byte[] Exponent)> requests, DhGroupId group)
    {
        BigInteger p = ModExpTestSupport.ToBig(ModExpGroups.ForId(group).PrimeBytes);
        Assert.Equal(requests.Count, owner.Count);
        foreach (var (token, b, e) in requests)
        {
            Assert.Equal(BigInteger.ModPow(ModExpTestSupport.ToBig(b), ModExpTestSupport.ToBig(e), p), ModExpTestSupport.ToBig(owner[token]));
        }
    }

    private sealed class CountingCompletion : IModExpCompletion
    {
        public int Count { get; private set; }

        public void OnModExpCompleted(long token, ReadOnlySpan<byte> result) => Count++;
    }
}
