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
}
