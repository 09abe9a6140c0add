using System.Numerics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>The precomputed key-pair pool: batches of eight, each pair handed out once, wiped on release.</summary>
public class EphemeralKeyPairPoolTests
{
    [Fact]
    public void Pairs_are_correct_distinct_taken_once_and_wiped_on_release()
    {
        using var batcher = new ModExpBatcher(new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native });
        var random = new Random(11);
        var pool = new EphemeralKeyPairPool(DhGroupId.Modp2048, 16, new DelegateDhRandomSource(random.NextBytes));
        Assert.Equal(32, pool.PrivateKeyLength);
        Assert.Equal(16, pool.Refill(batcher, TimeSpan.Zero));
        Assert.Equal(0, pool.Refill(batcher, TimeSpan.Zero)); // 16 pending: above the watermark
        Assert.Equal(0, pool.Available);
        Assert.Equal(16, batcher.Poll(TimeSpan.Zero));
        Assert.Equal(16, pool.Available);

        BigInteger p = ModExpTestSupport.ToBig(ModExpGroups.ForId(DhGroupId.Modp2048).PrimeBytes);
        var seen = new HashSet<string>();
        var taken = new List<EphemeralKeyPair>();
        while (pool.TryTake(out EphemeralKeyPair? pair))
        {
            BigInteger x = ModExpTestSupport.ToBig(pair.PrivateKey);
            Assert.True(x >= 2);
            Assert.Equal(BigInteger.ModPow(2, x, p), ModExpTestSupport.ToBig(pair.PublicKey));
            Assert.Equal(256, pair.PublicKey.Length);
            Assert.True(seen.Add(Convert.ToHexString(pair.PrivateKey)));
            taken.Add(pair);
        }

        Assert.Equal(16, taken.Count);
        Assert.False(pool.TryTake(out _));

        EphemeralKeyPair first = taken[0];
        first.Dispose();
        Assert.All(first.PrivateKeyBuffer, b => Assert.Equal(0, b));
        Assert.All(first.PublicKeyBuffer, b => Assert.Equal(0, b));
        Assert.Throws<InvalidOperationException>(() => first.PrivateKey.Length);
        Assert.Throws<InvalidOperationException>(() => pool.Release(first));
        first.Dispose(); // idempotent

        // Below the watermark again: only whole batches of eight are refilled.
        for (int i = 1; i < 9; i++)
        {
            pool.Release(taken[i]);
        }

        Assert.Equal(8, pool.Refill(batcher, TimeSpan.Zero));
        batcher.Poll(TimeSpan.Zero);
        Assert.Equal(8, pool.Available);
    }

    [Fact]
    public void Private_keys_are_resampled_out_of_range()
    {
        using var batcher = new ModExpBatcher(new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native });
        int calls = 0;
        var pool = new EphemeralKeyPairPool(DhGroupId.Modp768, 8, new DelegateDhRandomSource(b =>
        {
            // First two candidates are 0 and 1 (refused), then 2, 3, ...
            Array.Clear(b);
            b[^1] = (byte)calls++;
        }), privateKeyLength: 4);
        Assert.Equal(8, pool.Refill(batcher, TimeSpan.Zero));
        batcher.Poll(TimeSpan.Zero);
        Assert.True(pool.TryTake(out EphemeralKeyPair? pair));
        Assert.Equal(2, pair.PrivateKey[^1]);
        Assert.Equal(BigInteger.One << 2, ModExpTestSupport.ToBig(pair.PublicKey));
    }

    [Fact]
    public void A_refill_queues_at_most_two_batches_per_call_up_to_capacity()
    {
        // A shared secret queued behind a refill waits for two batches, not for a whole pool; the refill still goes
        // from the low watermark up to capacity over several calls.
        using var batcher = new ModExpBatcher(new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native }, ModExpBatcher.DefaultQueueCapacity + 64);
        var pool = new EphemeralKeyPairPool(DhGroupId.Modp2048, 64, SystemDhRandomSource.Instance);
        for (int call = 0; call < 4; call++)
        {
            Assert.Equal(EphemeralKeyPairPool.MaxRefillBatches * 8, pool.Refill(batcher, TimeSpan.Zero));
        }

        Assert.Equal(0, pool.Refill(batcher, TimeSpan.Zero)); // 64 pending: full
        Assert.False(pool.NeedsRefill);
        var owner = new RecordingCompletion();
        Assert.Equal(ModExpEnqueueResult.Queued, batcher.TryEnqueue(DhGroupId.Modp2048, [2], [5], owner, 1, TimeSpan.Zero));
    }

    [Fact]
    public void Pools_refuse_bad_configuration()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EphemeralKeyPairPool(DhGroupId.Modp2048, 4, new DelegateDhRandomSource(_ => { })));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EphemeralKeyPairPool(DhGroupId.Modp768, 8, new DelegateDhRandomSource(_ => { }), privateKeyLength: 97));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EphemeralKeyPairPool(DhGroupId.Ecp384, 8, new DelegateDhRandomSource(_ => { })));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EphemeralKeyPairPool(DhGroupId.Ecp256, 8, new DelegateDhRandomSource(_ => { }), privateKeyLength: 33));
        Assert.Equal(64, EphemeralKeyPairPool.DefaultPrivateKeyLength(DhGroupId.Modp8192));
    }
}
