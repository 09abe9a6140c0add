using System.Net;
using Ike.Fast.Host.Sharding;
using Ike.Fast.Protocol;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host.Sharding;

/// <summary>
/// A peer behind a NAT (<see cref="NatRebindingDaemonTests.NatRelay"/>) seen by a sharded responder: when the NAT's
/// public address changes mid-SA the peer's datagrams hash to another shard, which passes them to the SA's owner by
/// their cookies (nothing lost, counted); and a dead path makes the initiator's DPD restart the SA on the peer's shard.
/// </summary>
public sealed class PeerMovesAcrossShardsTests
{
    private const int NatTraversalPort = 4500;

    internal sealed record Topology(ShardedPeer A, ShardedPeer B, NatRebindingDaemonTests.NatRelay Relay) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            await Relay.DisposeAsync();
        }
    }

    /// <summary>a (127.Net.block.1, one shard) -> relay (.2 inside, <paramref name="outside"/>) -> b (.3, <paramref name="shards"/>).</summary>
    internal static async Task<Topology> StartAsync(TempConfigDirectory dir, byte block, IPAddress outside, int shards, string steering, string aExtra)
    {
        var aAddress = new IPAddress([127, ShardedPeer.Net, block, 1]);
        var inside = new IPAddress([127, ShardedPeer.Net, block, 2]);
        var bAddress = new IPAddress([127, ShardedPeer.Net, block, 3]);
        var b = ShardedPeer.FreeEndPoint(bAddress);
        var relayPort = HostTestConfig.FreeUdpPort(inside);
        var relay = new NatRebindingDaemonTests.NatRelay(new IPEndPoint(inside, relayPort), b, outside);
        var bPeer = await ShardedPeer.StartAsync(dir, "b", [b, new IPEndPoint(bAddress, NatTraversalPort)], shards, steering,
            new ShardedPeer.Connection("nat", "%any", 0, $"{bAddress}/32", $"{aAddress}/32", Start: false));
        var aPeer = await ShardedPeer.StartAsync(dir, "a", [ShardedPeer.FreeEndPoint(aAddress), new IPEndPoint(aAddress, NatTraversalPort)], 1,
            "dispatcher", new ShardedPeer.Connection("nat", inside.ToString(), relayPort, $"{aAddress}/32", $"{bAddress}/32", Start: true, aExtra));
        Assert.True(await LoopbackPair.WaitUntil(() => aPeer.Installer.Installed.Count == 1 && bPeer.Installer.Installed.Count == 1));
        return new Topology(aPeer, bPeer, relay);
    }

    [Theory]
    [InlineData(2, "dispatcher")]
    [InlineData(4, "reuseport")]
    public async Task ANatThatChangesItsAddressMovesThePeerToAnotherShard_TheSaIsFoundByItsCookies(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var first = ShardedPeer.OnShard(ShardedPeer.Block(95, shards), 1, shards);
        var second = ShardedPeer.OnShard(ShardedPeer.Block(95, shards), 0, shards);
        await using var t = await StartAsync(dir, ShardedPeer.Block(94, shards), first, shards, steering, """, "dpd_delay": "1s" """);
        var before = Assert.Single(t.B.IkeSas);
        Assert.StartsWith($"{first}:", before.Remote, StringComparison.Ordinal);
        Assert.True(before.UdpEncapsulation);
        // The status row's local end is the SA's real one: the 4500 endpoint it floated to (RFC 3947 section 4).
        Assert.Equal($"127.{ShardedPeer.Net}.{ShardedPeer.Block(94, shards)}.3:{NatTraversalPort}", before.Local);
        Assert.Equal($"127.{ShardedPeer.Net}.{ShardedPeer.Block(94, shards)}.1:{NatTraversalPort}", Assert.Single(t.A.IkeSas).Local);
        var owner = ShardedPeer.ShardOf(first, shards);
        Assert.Equal(1, t.B.Phase1PerShard[owner]);

        // The NAT's public address changes: a's DPD probes now arrive from an address of shard 0.
        t.Relay.RebindTo(second);
        Assert.True(await LoopbackPair.WaitUntil(() =>
            t.B.IkeSas is [var sa] && sa.Remote.StartsWith($"{second}:", StringComparison.Ordinal) && sa.InitiatorCookie == before.InitiatorCookie));
        Assert.True(t.B.Sharded.Rebinding.PassedOn > 0);
        if (!ShardSteering.IsShaped(Convert.ToUInt64(before.InitiatorCookie, 16), ShardedPeer.TestSeed))
        {
            // One copy only, to the shard b's marked cookie names, however many shards (only a peer's cookie that carries
            // the mark by chance, once in 256, sends a second copy to the shard it names, which drops it: counted).
            Assert.Equal(0, t.B.Sharded.Rebinding.UnownedDropped);
        }

        // Nothing was lost: the same SA still negotiates, a new Quick Mode from the moved peer completes on the owner.
        var answer = await LoopbackPair.Ask(t.A.Socket, """{"command":"initiate","connection":"nat","child":"net"}""");
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        Assert.True(await LoopbackPair.WaitUntil(() => t.A.Installer.Installed.Count == 2 && t.B.Installer.Installed.Count == 2),
            Describe(t)); // seen failing twice in full runs (stop 13), not reproduced alone: the state says which side stalled
        Assert.Equal(before.InitiatorCookie, Assert.Single(t.B.IkeSas).InitiatorCookie);
        Assert.Equal(1, t.B.Phase1PerShard.Sum());
    }

    /// <summary>Both daemons' SAs, installs and per-shard counters (non-zero codes), for a failed wait's message.</summary>
    private static string Describe(Topology t)
    {
        static string Side(string name, ShardedPeer p) =>
            $"{name}: installed {p.Installer.Installed.Count}; SAs [{string.Join("; ", p.IkeSas.Select(sa => $"{sa.InitiatorCookie} {sa.Local} <-> {sa.Remote}"))}]; " +
            string.Join("; ", p.Sharded.Shards.Select((s, i) => $"shard {i}: " + string.Join(", ",
                Enum.GetValues<DiagnosticCode>().Distinct().Where(c => s.Counters[c] != 0).Select(c => $"{c}={s.Counters[c]}"))));
        return $"{Side("a", t.A)} | {Side("b", t.B)} | b passed on {t.B.Sharded.Rebinding.PassedOn}, unowned dropped {t.B.Sharded.Rebinding.UnownedDropped}";
    }

    [Theory]
    [InlineData(2, "dispatcher")]
    [InlineData(4, "reuseport")]
    public async Task DpdRestartNegotiatesOnThePeersShard(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var outside = ShardedPeer.OnShard(ShardedPeer.Block(97, shards), shards - 1, shards);
        await using var t = await StartAsync(dir, ShardedPeer.Block(96, shards), outside, shards, steering,
            """, "dpd_delay": "1s", "dpd_timeout": "3s", "dpd_action": "restart" """);
        var old = Assert.Single(t.B.IkeSas).InitiatorCookie;

        // The path dies: a's DPD declares b dead and restarts the SA; once the path is back the new one comes up.
        t.Relay.Blackhole = true;
        Assert.True(await LoopbackPair.WaitUntil(() => t.A.Sharded.Shards[0].Counters[DiagnosticCode.DeadPeer] > 0));
        t.Relay.Blackhole = false;
        Assert.True(await LoopbackPair.WaitUntil(() =>
            t.A.IkeSas is [var a] && t.B.IkeSas is [var b] && a.InitiatorCookie != old && a.InitiatorCookie == b.InitiatorCookie &&
            t.A.Installer.Installed.Count == 1 && t.B.Installer.Installed.Count == 1 &&
            t.A.Installer.Installed[0].InboundSpi == t.B.Installer.Installed[0].OutboundSpi));
        // b's two Phase 1s with the peer were on one shard (INITIAL-CONTACT found the old one there).
        var owner = ShardedPeer.ShardOf(outside, shards);
        Assert.Equal(2, t.B.Phase1PerShard[owner]);
        Assert.Equal(2, t.B.Phase1PerShard.Sum());
    }
}
