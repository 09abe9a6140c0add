using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>The thread host: requests from several threads complete; pools are filled in the background.</summary>
public class ModExpBatchWorkerTests
{
    [Fact]
    public void Requests_from_several_threads_complete_with_correct_results()
    {
        var batcher = new ModExpBatcher(new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native });
        using var worker = new ModExpBatchWorker(batcher);
        var owner = new RecordingCompletion(expected: 60);
        var requests = new List<(long Token, byte[] Base, byte[] Exponent)>[3];
        Parallel.For(0, 3, t =>
        {
            var random = new Random(t);
            byte[] prime = ModExpGroups.ForId(DhGroupId.Modp1024).PrimeBytes;
            requests[t] = [];
            for (int i = 0; i < 20; i++)
            {
                var b = new byte[prime.Length];
                ModExpTestSupport.RandomBase(random, ModExpTestSupport.ToBig(prime), b);
                var e = new byte[32];
                random.NextBytes(e);
                long token = (t * 1000) + i;
                while (worker.Submit(DhGroupId.Modp1024, b, e, owner, token) == ModExpEnqueueResult.QueueFull)
                {
                    Thread.Sleep(1);
                }

                requests[t].Add((token, b, e));
            }
        });

        Assert.True(owner.Wait(TimeSpan.FromSeconds(30)), $"only {owner.Count} of 60 completed; failure: {worker.Failure}");
        ModExpBatcherTests.AssertResults(owner, [.. requests.SelectMany(r => r)], DhGroupId.Modp1024);
        Assert.Null(worker.Failure);
    }

    [Fact]
    public void Pools_are_filled_in_the_background()
    {
        var batcher = new ModExpBatcher(new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native });
        var pool = new EphemeralKeyPairPool(DhGroupId.Modp1536, 24, SystemDhRandomSource.Instance);
        using var worker = new ModExpBatchWorker(batcher, pool);
        SpinWait.SpinUntil(() => pool.Available == 24, TimeSpan.FromSeconds(30));
        Assert.Equal(24, pool.Available);
        for (int i = 0; i < 20; i++)
        {
            Assert.True(pool.TryTake(out EphemeralKeyPair? pair));
            pair.Dispose();
        }

        worker.Nudge();
        SpinWait.SpinUntil(() => pool.Available == 20, TimeSpan.FromSeconds(30)); // 4 left + 2 batches of 8
        Assert.Equal(20, pool.Available);
        Assert.Null(worker.Failure);
    }
}
