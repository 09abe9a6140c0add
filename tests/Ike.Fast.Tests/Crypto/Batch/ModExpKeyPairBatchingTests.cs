using System.Numerics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// How a group queue forms batches from key pairs (base g) and shared secrets (other bases): key pairs apart when
/// eight or more wait (the fixed-base comb), shared secrets first otherwise, old key pairs first; every owner still
/// gets its own result.
/// </summary>
public class ModExpKeyPairBatchingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMicroseconds(200);
    private const DhGroupId Group = DhGroupId.Modp1024;

    [Fact]
    public void Eight_key_pairs_make_a_batch_of_their_own_and_shared_secrets_are_not_displaced()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        var random = new Random(1);
        var requests = new List<(long, byte[], byte[])>();
        Add(batcher, owner, requests, random, secrets: 3, keyPairs: 0, TimeSpan.Zero);
        Add(batcher, owner, requests, random, secrets: 0, keyPairs: 16, TimeSpan.Zero);

        Assert.Equal("PPPPPPPP", Take(batcher, TimeSpan.Zero));
        Assert.Equal("PPPPPPPP", Take(batcher, TimeSpan.Zero));
        Assert.False(batcher.TryTakeBatch(TimeSpan.Zero, out _)); // three secrets wait for company or their deadline
        Add(batcher, owner, requests, random, secrets: 5, keyPairs: 0, TimeSpan.Zero);
        Assert.Equal("SSSSSSSS", Take(batcher, TimeSpan.Zero));
        AssertResults(owner, requests);
    }

    [Fact]
    public void Shared_secrets_go_first_and_key_pairs_fill_the_lanes_left()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        var random = new Random(2);
        var requests = new List<(long, byte[], byte[])>();
        Add(batcher, owner, requests, random, secrets: 0, keyPairs: 3, TimeSpan.Zero);
        Add(batcher, owner, requests, random, secrets: 9, keyPairs: 0, TimeSpan.FromMicroseconds(10));
        Add(batcher, owner, requests, random, secrets: 0, keyPairs: 2, TimeSpan.FromMicroseconds(20));

        TimeSpan now = TimeSpan.FromMicroseconds(20);
        Assert.Equal("SSSSSSSS", Take(batcher, now)); // nine secrets behind three key pairs: eight of them first
        Add(batcher, owner, requests, random, secrets: 2, keyPairs: 0, TimeSpan.FromMicroseconds(30));
        Assert.Equal("SSSPPPPP", Take(batcher, TimeSpan.FromMicroseconds(30))); // the secrets, then key pairs in the free lanes
        AssertResults(owner, requests);
        Assert.Equal(0, batcher.PendingCount(Group));
    }

    [Fact]
    public void Key_pairs_past_their_deadline_go_first()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        var random = new Random(3);
        var requests = new List<(long, byte[], byte[])>();
        Add(batcher, owner, requests, random, secrets: 0, keyPairs: 2, TimeSpan.Zero);
        Add(batcher, owner, requests, random, secrets: 7, keyPairs: 0, Deadline);
        Add(batcher, owner, requests, random, secrets: 0, keyPairs: 1, Deadline);

        Assert.Equal("PPPSSSSS", Take(batcher, Deadline));
        Assert.Equal("SS", Take(batcher, Deadline + Deadline));
        AssertResults(owner, requests);
    }

    [Fact]
    public void Mixed_orders_keep_every_owner_its_result()
    {
        using ModExpBatcher batcher = NewBatcher();
        var owner = new RecordingCompletion();
        var random = new Random(4);
        var requests = new List<(long, byte[], byte[])>();
        TimeSpan now = TimeSpan.Zero;
        for (int round = 0; round < 40; round++)
        {
            Add(batcher, owner, requests, random, secrets: random.Next(4), keyPairs: random.Next(6), now);
            now += TimeSpan.FromMicroseconds(random.Next(150));
            batcher.Poll(now);
        }

        batcher.Poll(now + Deadline);
        batcher.Poll(now + Deadline + Deadline);
        Assert.Equal(0, batcher.PendingCount(Group));
        AssertResults(owner, requests);
    }

    private static ModExpBatcher NewBatcher() =>
        new(new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native, FlushDeadline = Deadline }, 64);

    /// <summary>Takes, runs and completes one batch; its lanes as P (base g) and S (other bases), in lane order.</summary>
    private static string Take(ModExpBatcher batcher, TimeSpan now)
    {
        Assert.True(batcher.TryTakeBatch(now, out ModExpBatch? batch));
        int len = ModExpGroups.ForId(Group).ByteLength;
        var kinds = new char[batch.Lanes];
        for (int k = 0; k < batch.Lanes; k++)
        {
            ReadOnlySpan<byte> b = batch.Bases.AsSpan(k * len, len);
            kinds[k] = b[^1] == 2 && b[..^1].IndexOfAnyExcept((byte)0) < 0 ? 'P' : 'S';
        }

        batch.Execute();
        batch.Complete();
        return new string(kinds);
    }

    private static void Add(
        ModExpBatcher batcher, RecordingCompletion owner, List<(long Token, byte[] Base, byte[] Exponent)> requests, Random random,
        int secrets, int keyPairs, TimeSpan now)
    {
        for (int i = 0; i < secrets + keyPairs; i++)
        {
            byte[] b;
            if (i < secrets)
            {
                b = new byte[64];
                random.NextBytes(b);
                b[^1] |= 1; // odd: never g
            }
            else
            {
                b = [2];
            }

            var e = new byte[32];
            random.NextBytes(e);
            long token = requests.Count;
            Assert.Equal(ModExpEnqueueResult.Queued, batcher.TryEnqueue(Group, b, e, owner, token, now));
            requests.Add((token, b, e));
        }
    }

    private static void AssertResults(RecordingCompletion owner, List<(long Token, byte[] Base, byte[] Exponent)> requests)
    {
        BigInteger p = ModExpTestSupport.ToBig(ModExpGroups.ForId(Group).PrimeBytes);
        Assert.Equal(requests.Count, owner.Count);
        foreach (var (token, b, e) in requests)
        {
            Assert.Equal(BigInteger.ModPow(ModExpTestSupport.ToBig(b), ModExpTestSupport.ToBig(e), p), ModExpTestSupport.ToBig(owner[token]));
        }
    }
}
