using System.Text.Json;
using Ike.Fast.LoadTest;

namespace Ike.Fast.Tests.LoadTest;

/// <summary>
/// The generator's cost savers end to end (issue #8): one DH key pair per group for the run (default) or a fresh one
/// per exchange (<c>--fresh-dh</c>), and one shared socket per generator thread (default on loopback) or one per peer.
/// </summary>
// Sequential with the other load tests: each run wants the cores; in parallel, retransmission timers fire spuriously.
[Collection("LoadTest")]
public sealed class LoadTestGeneratorCostTests
{
    [Theory]
    [InlineData("aes128-sha256-modp2048", "aes128-sha256-modp2048")]
    [InlineData("aes128-sha256-ecp256", "aes128-sha256-ecp256")]
    [InlineData("aes128-sha256-curve25519", "aes128-sha256-curve25519")]
    public void ReusedKeyPair_Default_EveryHandshakeAndPfsQuickModeCompletes(string proposal, string esp)
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions { Proposal = proposal, Esp = esp, Count = 16, Concurrency = 8, Warmup = 2 });

        Assert.True(r.Failed == 0, string.Join(", ", r.FailuresByReason.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(16, r.Completed);
        Assert.Equal(16, r.ChildSasWithPfs);
        Assert.Equal(0, r.ResponderIkeSasLeft);
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(r));
        Assert.False(doc.RootElement.GetProperty("options").GetProperty("fresh_dh").GetBoolean());
    }

    [Fact]
    public void FreshDh_WithPerPeerSockets_EveryHandshakeCompletes()
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions
        {
            FreshDh = true,
            PerPeerSockets = true,
            Esp = "aes128-sha256-modp2048",
            Count = 16,
            Concurrency = 8,
            Warmup = 2,
        });

        Assert.True(r.Failed == 0, string.Join(", ", r.FailuresByReason.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(16, r.Completed);
        Assert.Equal(16, r.ChildSasWithPfs);
        Assert.Equal(0, r.ResponderIkeSasLeft);
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(r));
        Assert.True(doc.RootElement.GetProperty("options").GetProperty("fresh_dh").GetBoolean());
    }

    [Fact]
    public void PerPeerSockets_NatTraversal_StillFloatsTo4500()
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions { NatTraversal = true, PerPeerSockets = true, Count = 8, Concurrency = 4, Warmup = 2 });

        Assert.True(r.Failed == 0, string.Join(", ", r.FailuresByReason.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(8, r.Completed);
        Assert.Equal(8, r.ChildSasUdpEncapsulated);
    }

    [Fact]
    public void SharedSocket_ManyPeersOverSeveralAddressBlocks_EachGetsItsOwnReplies()
    {
        // 600 peers: 127.0.0.2 ... 127.0.2.101 (250 per last octet), all on one socket; replies are routed by address.
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions { Count = 600, Concurrency = 64, Warmup = 2 });

        Assert.True(r.Failed == 0, string.Join(", ", r.FailuresByReason.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(600, r.Completed);
        Assert.Equal(0, r.ResponderIkeSasLeft);
    }

    [Fact]
    public void DhBatchDeadline_LongerOnlyWhereBatchesCanFill()
    {
        Assert.Null(Environment.GetEnvironmentVariable(GeneratorShard.DhDeadlineEnvironmentVariable));
        Assert.Equal(TimeSpan.FromMilliseconds(1), GeneratorShard.DhFlushDeadline(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1), GeneratorShard.DhFlushDeadline(GeneratorShard.LongDeadlineConcurrency - 1));
        Assert.Equal(TimeSpan.FromMilliseconds(2), GeneratorShard.DhFlushDeadline(GeneratorShard.LongDeadlineConcurrency));
        Assert.Equal(TimeSpan.FromMilliseconds(2), GeneratorShard.DhFlushDeadline(64));
    }

    [Theory]
    [InlineData("127.0.0.2", 0, "127.0.0.2")]
    [InlineData("127.0.0.2", 249, "127.0.0.251")]
    [InlineData("127.0.0.2", 250, "127.0.1.2")]
    [InlineData("192.0.2.10", 239, "192.0.2.249")]
    [InlineData("127.0.0.10", 245, "127.0.1.5")]
    public void PeerAddresses_250PerLastOctet_SkippingTheEnds(string first, int index, string expected)
    {
        uint value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Net.IPAddress.Parse(first).GetAddressBytes());
        Assert.Equal(System.Net.IPAddress.Parse(expected), GeneratorShard.PeerAddress(value, index));
    }
}
