using System.Numerics;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Tests.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.Batch;

/// <summary>
/// The <see cref="ScalarDhEngine"/> cases (agreement, validation, statuses) run against
/// <see cref="BatchedDhEngine"/>, plus batching-specific behaviour read from counters (never wall-clock).
/// </summary>
public class BatchedDhEngineTests
{
    private static readonly DhEngineOptions AllowLegacy = new()
    {
        ExplicitlyEnabledLegacyGroups = new HashSet<DhGroupId> { DhGroupId.Modp768, DhGroupId.Modp1024 },
    };

    public static TheoryData<DhGroupId> AllGroups => ScalarDhEngineTests.AllGroups;

    private static BatchedDhEngine NewEngine(int seed, DhEngineOptions? options = null, params DhGroupId[] pooled) =>
        new(new DeterministicDhRandomSource(seed), options ?? AllowLegacy,
            new ModExpBatchOptions { NativeFactory = ModExpTestSupport.Native },
            pooled.Length == 0 ? [DhGroupId.Modp2048] : pooled,
            poolCapacity: 16);

    [Theory]
    [MemberData(nameof(AllGroups))]
    public async Task Two_parties_agree_through_the_async_path(DhGroupId id)
    {
        using BatchedDhEngine initiator = NewEngine(1);
        using BatchedDhEngine responder = NewEngine(2);
        DhGroup group = DhGroupRegistry.Get(id);
        byte[] gxi = new byte[group.PublicValueLength];
        byte[] gxr = new byte[group.PublicValueLength];
        DhResult i = await initiator.ExecuteAsync(DhRequest.GenerateKeyPair(id, gxi));
        DhResult r = await responder.ExecuteAsync(DhRequest.GenerateKeyPair(id, gxr));
        Assert.Equal(DhStatus.Success, i.Status);
        Assert.Equal(DhStatus.Success, r.Status);
        Assert.Equal(group.PublicValueLength, i.BytesWritten);
        Assert.Equal(gxi, i.PrivateKey!.PublicValue.ToArray());
        Assert.NotEqual(gxi, gxr);

        byte[] si = new byte[group.SharedSecretLength];
        byte[] sr = new byte[group.SharedSecretLength];
        DhResult a = await initiator.ExecuteAsync(DhRequest.ComputeShared(i.PrivateKey!, gxr, si));
        DhResult b = responder.Execute(DhRequest.ComputeShared(r.PrivateKey!, gxi, sr)); // sync path agrees too
        Assert.Equal(DhStatus.Success, a.Status);
        Assert.Equal(DhStatus.Success, b.Status);
        Assert.Equal(group.SharedSecretLength, a.BytesWritten);
        Assert.Equal(si, sr);
        Assert.Contains(si, x => x != 0);
        Assert.True(i.PrivateKey!.IsConsumed);
        Assert.Equal(DhStatus.PrivateKeyConsumed, (await initiator.ExecuteAsync(DhRequest.ComputeShared(i.PrivateKey!, gxr, si))).Status);
        Assert.Equal(group.Kind == DhGroupKind.Modp ? 1 : 0, initiator.BatchedRequests);
    }

    [Fact]
    public async Task Pooled_key_pairs_have_the_policy_length_and_agree_with_the_scalar_engine()
    {
        using BatchedDhEngine engine = NewEngine(3);
        await WaitForPool(engine, DhGroupId.Modp2048);
        byte[] ours = new byte[256];
        DhResult pair = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, ours));
        Assert.Equal(DhStatus.Success, pair.Status);
        Assert.Equal(1, engine.PooledKeyPairs);
        Assert.Equal(32, pair.PrivateKey!.Exponent!.Length); // short policy: 256 bits, as ScalarDhEngine
        BigInteger p = ModExpTestSupport.ToBig(ModpGroup.Modp2048.PrimeBytes);
        Assert.Equal(BigInteger.ModPow(2, ModExpTestSupport.ToBig(pair.PrivateKey.Exponent), p), ModExpTestSupport.ToBig(ours));

        var scalar = new ScalarDhEngine(new DeterministicDhRandomSource(4));
        byte[] theirs = new byte[256];
        DhPrivateKey other = scalar.GenerateKeyPair(DhGroupId.Modp2048, theirs).PrivateKey!;
        byte[] s1 = new byte[256];
        byte[] s2 = new byte[256];
        Assert.True((await engine.ExecuteAsync(DhRequest.ComputeShared(pair.PrivateKey, theirs, s1))).IsSuccess);
        Assert.True(scalar.ComputeSharedSecret(other, ours, s2).IsSuccess);
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void Legacy_groups_need_explicit_configuration()
    {
        using BatchedDhEngine engine = NewEngine(5, DhEngineOptions.Default);
        Assert.Equal(DhStatus.GroupNotAllowed, engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp768, new byte[96])).Status);
        Assert.Equal(DhStatus.GroupNotAllowed, engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp1024, new byte[128])).Status);
        Assert.Equal(DhStatus.UnsupportedGroup, engine.Execute(DhRequest.GenerateKeyPair((DhGroupId)22, new byte[128])).Status);
        Assert.Equal(DhStatus.InvalidRequest, engine.Execute(default).Status);
    }

    [Theory]
    [MemberData(nameof(ScalarDhEngineTests.InvalidModpValues), MemberType = typeof(ScalarDhEngineTests))]
    public async Task Invalid_modp_public_values_give_invalid_key_information(string name, byte[] peer)
    {
        using BatchedDhEngine engine = NewEngine(6);
        DhPrivateKey key = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, new byte[256])).PrivateKey!;
        DhResult result = await engine.ExecuteAsync(DhRequest.ComputeShared(key, peer, new byte[256]));
        Assert.True(result.Status == DhStatus.InvalidKeyInformation, name);
        Assert.Equal(17, result.NotifyMessageType);
        Assert.False(key.IsConsumed);
        Assert.Equal(DhStatus.InvalidKeyInformation, engine.Execute(DhRequest.ComputeShared(key, peer, new byte[256])).Status);
        Assert.Equal(0, engine.BatchedRequests);
        key.Dispose();
    }

    [Theory]
    [MemberData(nameof(ScalarDhEngineTests.InvalidCurveValues), MemberType = typeof(ScalarDhEngineTests))]
    public async Task Invalid_curve_public_values_give_invalid_key_information(DhGroupId id, string kind)
    {
        using BatchedDhEngine engine = NewEngine(7);
        DhGroup group = DhGroupRegistry.Get(id);
        byte[] valid = new byte[group.PublicValueLength];
        engine.Execute(DhRequest.GenerateKeyPair(id, valid)).PrivateKey!.Dispose();
        byte[] peer = kind switch
        {
            "zeros" => new byte[group.PublicValueLength],
            "short" => valid[1..],
            "long" => [.. valid, 0],
            "tampered" when group.Kind == DhGroupKind.Ecp => [.. valid[..^1], (byte)(valid[^1] ^ 1)],
            "tampered" => [0xED, .. Enumerable.Repeat((byte)0xFF, 30), 0x7F],
            _ => group.Kind == DhGroupKind.Ecp ? [.. new byte[group.PublicValueLength - 1], 1] : [1, .. new byte[31]],
        };
        DhPrivateKey key = engine.Execute(DhRequest.GenerateKeyPair(id, new byte[group.PublicValueLength])).PrivateKey!;
        DhResult result = await engine.ExecuteAsync(DhRequest.ComputeShared(key, peer, new byte[group.SharedSecretLength]));
        Assert.Equal(DhStatus.InvalidKeyInformation, result.Status);
        Assert.Equal(17, result.NotifyMessageType);
        key.Dispose();
    }

    [Fact]
    public async Task Destination_too_small_is_a_result()
    {
        using BatchedDhEngine engine = NewEngine(8);
        Assert.Equal(DhStatus.DestinationTooSmall, engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, new byte[255])).Status);
        byte[] peer = new byte[256];
        DhPrivateKey other = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, peer)).PrivateKey!;
        DhPrivateKey key = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, new byte[256])).PrivateKey!;
        Assert.Equal(DhStatus.DestinationTooSmall, (await engine.ExecuteAsync(DhRequest.ComputeShared(key, peer, new byte[255]))).Status);
        Assert.False(key.IsConsumed);
        other.Dispose();
        key.Dispose();
    }

    [Fact]
    public async Task Concurrent_requests_share_full_batches_and_match_BigInteger()
    {
        const int Requests = 32;
        using BatchedDhEngine engine = NewEngine(9, null, DhGroupId.Modp1536);
        var random = new Random(10);
        BigInteger p = ModExpTestSupport.ToBig(ModpGroup.Modp1536.PrimeBytes);
        var keys = new DhPrivateKey[Requests];
        var peers = new byte[Requests][];
        var expected = new BigInteger[Requests];
        var outputs = new byte[Requests][];
        for (int k = 0; k < Requests; k++)
        {
            keys[k] = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp1536, new byte[192])).PrivateKey!;
            peers[k] = new byte[192];
            ModExpTestSupport.RandomBase(random, p, peers[k]);
            peers[k][0] |= 1; // > 1
            expected[k] = BigInteger.ModPow(ModExpTestSupport.ToBig(peers[k]), ModExpTestSupport.ToBig(keys[k].Exponent), p);
            outputs[k] = new byte[192];
        }

        ModExpBatchCounters before = engine.BatchCounters;
        var tasks = new Task<DhResult>[Requests];
        for (int k = 0; k < Requests; k++)
        {
            tasks[k] = engine.ExecuteAsync(DhRequest.ComputeShared(keys[k], peers[k], outputs[k])).AsTask();
        }

        DhResult[] results = await Task.WhenAll(tasks);
        for (int k = 0; k < Requests; k++)
        {
            Assert.Equal(DhStatus.Success, results[k].Status);
            Assert.Equal(expected[k], ModExpTestSupport.ToBig(outputs[k]));
            Assert.True(keys[k].IsConsumed);
        }

        ModExpBatchCounters after = engine.BatchCounters;
        Assert.Equal(Requests, engine.BatchedRequests + engine.ScalarFallbacks);

        // Submitted back to back, most lanes were shared: at most one partial batch per flush of the queue.
        long batches = after.Batches - before.Batches;
        long lanes = after.Lanes - before.Lanes;
        Assert.Equal(engine.BatchedRequests, lanes);
        Assert.True(batches < lanes, $"{batches} batches for {lanes} requests");
    }

    private static async Task WaitForPool(BatchedDhEngine engine, DhGroupId group)
    {
        for (int i = 0; i < 2000 && engine.PooledAvailable(group) == 0; i++)
        {
            await Task.Delay(5);
        }

        Assert.True(engine.PooledAvailable(group) > 0);
    }
}
