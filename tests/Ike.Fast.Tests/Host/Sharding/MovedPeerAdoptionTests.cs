using Ike.Fast.Protocol;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host.Sharding;

/// <summary>
/// A peer behind a NAT that changed its public address runs its next Phase 1 on the shard of the new address; the
/// shards tell each other (Sharding/CrossShardPeers): a reauthentication adopts the IPsec pairs of the old ISAKMP SA on
/// the other shard (the kernel keeps them), and INITIAL-CONTACT from a restarted peer drops its old SAs there.
/// </summary>
public sealed class MovedPeerAdoptionTests
{
    public static TheoryData<int, string> Layouts => new() { { 2, "dispatcher" }, { 4, "reuseport" } };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task AReauthenticationFromANewAddressAdoptsThePairsOfTheOldShard(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var first = ShardedPeer.OnShard(ShardedPeer.Block(101, shards), 1, shards);
        var second = ShardedPeer.OnShard(ShardedPeer.Block(101, shards), 0, shards);
        await using var t = await PeerMovesAcrossShardsTests.StartAsync(dir, ShardedPeer.Block(100, shards), first, shards, steering, """, "dpd_delay": "1s" """);
        var old = Assert.Single(t.B.IkeSas);
        var oldShard = ShardedPeer.ShardOf(first, shards);
        var newShard = ShardedPeer.ShardOf(second, shards);

        // The NAT moves; a's DPD reaches the old SA through the shard of the new address, the SA follows the peer and its
        // pair is rekeyed to the new address (Installation/EncapsulationFollower).
        t.Relay.RebindTo(second);
        Assert.True(await LoopbackPair.WaitUntil(() =>
            t.B.IkeSas is [var sa] && sa.Remote.StartsWith($"{second}:", StringComparison.Ordinal) &&
            t.B.ChildSas.Any(x => x.Remote == second.ToString())));
        var spi = Convert.ToUInt32(t.B.ChildSas.First(x => x.Remote == second.ToString()).SpiIn, 16);
        var installed = t.B.Installer.Installed.Select(x => x.InboundSpi).ToHashSet();

        // a reauthenticates: its new Main Mode arrives from the new address, on the other shard.
        var aSa = Assert.Single(t.A.IkeSas);
        var answer = await t.A.Sharded.ReauthenticateAsync(Convert.ToUInt64(aSa.InitiatorCookie, 16), Convert.ToUInt64(aSa.ResponderCookie, 16));
        Assert.True(answer.Ok, answer.Message);

        // The new ISAKMP SA (new shard) lists the pair; the old one (old shard) has none left; nothing was reinstalled.
        var adopted = false;
        for (var i = 0; i < 100 && !adopted; i++)
        {
            var engine = await t.B.Sharded.Shards[newShard].EngineStatusAsync();
            adopted = engine.Any(s => s.InitiatorCookie.ToString("x16") != old.InitiatorCookie && s.Children.Any(c => c.InboundSpi == spi));
            if (!adopted)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(adopted);
        var oldEngine = await t.B.Sharded.Shards[oldShard].EngineStatusAsync();
        Assert.All(oldEngine, s => Assert.Empty(s.Children));
        // Kernel state untouched: the pair is still installed and no pair was installed since (a new one has a new SPI).
        Assert.Contains(t.B.Installer.Installed, x => x.InboundSpi == spi);
        Assert.Subset(installed, t.B.Installer.Installed.Select(x => x.InboundSpi).ToHashSet());
        Assert.True(t.B.Sharded.CrossShardCounts.HandedOver >= 1);
        Assert.True(t.B.Sharded.CrossShardCounts.Adopted >= 1);
        Assert.Equal(1, t.B.Phase1PerShard[newShard]);

        // The status lists the new ISAKMP SA with the pair once a (the initiator of the reauthentication) deleted the old one.
        Assert.True(await LoopbackPair.WaitUntil(() =>
            t.B.IkeSas is [var only] && only.InitiatorCookie != old.InitiatorCookie && only.Remote.StartsWith($"{second}:", StringComparison.Ordinal) &&
            t.B.ChildSas.Any(c => c.SpiIn == spi.ToString("x8"))));
        Assert.Subset(installed, t.B.Installer.Installed.Select(x => x.InboundSpi).ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task InitialContactFromANewAddressDropsTheOldSasOnTheOtherShard(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var first = ShardedPeer.OnShard(ShardedPeer.Block(103, shards), 1, shards);
        var second = ShardedPeer.OnShard(ShardedPeer.Block(103, shards), 0, shards);
        await using var t = await PeerMovesAcrossShardsTests.StartAsync(dir, ShardedPeer.Block(102, shards), first, shards, steering, "");
        var old = Assert.Single(t.B.IkeSas);
        var oldPair = Assert.Single(t.B.Installer.Installed);
        var oldShard = ShardedPeer.ShardOf(first, shards);

        // a restarts without a goodbye behind a NAT that got a new address: same identity (its own address), fresh state,
        // INITIAL-CONTACT, a new Phase 1 on the shard of the new address.
        var aListen = t.A.Sharded.LocalEndPoints.ToArray();
        var aConnection = t.A.Sharded.Shards[0].Configuration.Connections.Single();
        await t.A.DisposeAsync();
        t.Relay.RebindTo(second);
        var bAddress = t.B.Sharded.LocalEndPoints[0].Address;
        await using var a2 = await ShardedPeer.StartAsync(dir, "a2", [ShardedPeer.FreeEndPoint(aListen[0].Address), aListen[1]], 1, "dispatcher",
            new ShardedPeer.Connection("nat", aConnection.RemoteAddress!.ToString(), aConnection.RemotePort, $"{aListen[0].Address}/32",
                $"{bAddress}/32", Start: true));

        Assert.True(await LoopbackPair.WaitUntil(() =>
            t.B.IkeSas is [var only] && only.InitiatorCookie != old.InitiatorCookie && only.Remote.StartsWith($"{second}:", StringComparison.Ordinal) &&
            t.B.Installer.Installed is [var pair] && pair.InboundSpi != oldPair.InboundSpi && a2.Installer.Installed.Count == 1 &&
            a2.Installer.Installed[0].OutboundSpi == pair.InboundSpi));
        Assert.True(t.B.Sharded.Shards[oldShard].Counters[DiagnosticCode.InitialContact] > 0);
        Assert.True(t.B.Sharded.CrossShardCounts.InitialContactDropped >= 1);
    }
}
