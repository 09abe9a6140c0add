using Ike.Fast.Host.Admission;

namespace Ike.Fast.Tests.Host.Admission;

public sealed class TokenBucketTests
{
    [Fact]
    public void ABurstPassesThenTheRateRefills()
    {
        var bucket = new TokenBucket(rate: 100, burst: 10, nowMs: 0);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(bucket.TryTake(0));
        }

        Assert.False(bucket.TryTake(0));
        Assert.False(bucket.TryTake(5)); // half a token
        Assert.True(bucket.TryTake(10)); // 100/s = one token per 10 ms
        Assert.False(bucket.TryTake(10));
        // A long quiet period refills to the burst, not beyond.
        var taken = 0;
        while (bucket.TryTake(60_000))
        {
            taken++;
        }

        Assert.Equal(10, taken);
    }

    [Fact]
    public void ConcurrentTakersNeverGetMoreThanTheBucketHolds()
    {
        var bucket = new TokenBucket(rate: 1, burst: 1000, nowMs: 0);
        var taken = 0;
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (bucket.TryTake(0))
                {
                    Interlocked.Increment(ref taken);
                }
            }
        });
        Assert.Equal(1000, taken);
    }

    [Fact]
    public void AClockReadingBehindTheLastRefillAddsNothing()
    {
        var bucket = new TokenBucket(rate: 100, burst: 2, nowMs: 0);
        Assert.True(bucket.TryTake(1000));
        Assert.True(bucket.TryTake(1000));
        Assert.False(bucket.TryTake(995)); // behind: no refill, and the refill time stays at 1000
        Assert.False(bucket.TryTake(1005));
        Assert.True(bucket.TryTake(1010)); // one token 10 ms after 1000, not after 995
        Assert.False(bucket.TryTake(1010));
    }

    [Fact]
    public void TwoCallersWithClocksApartGetNoMoreThanTheRate()
    {
        // Two shards whose clocks started 5 ms apart, taking in turn for 100 ms at 1 token/ms: before the signed
        // difference, every switch to the clock behind wrapped to a full bucket (about 200 taken).
        var bucket = new TokenBucket(rate: 1000, burst: 10, nowMs: 0);
        var taken = 0;
        for (long t = 5; t <= 105; t++)
        {
            taken += bucket.TryTake(t) ? 1 : 0;
            taken += bucket.TryTake(t - 5) ? 1 : 0;
            taken += bucket.TryTake(t) ? 1 : 0;
        }

        Assert.InRange(taken, 100, 10 + 105);
    }
}
