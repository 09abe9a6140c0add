using System.Net;
using Ike.Fast.Host.Sharding;
using Ike.Fast.Protocol;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host.Sharding;

/// <summary>
/// Peer-level rules across shards, two sharded daemons on loopback (Host README, "Shards"): every exchange with one peer
/// runs on the shard of the peer's address, so a reauthentication adopts the IPsec pairs, INITIAL-CONTACT clears the
/// old SAs, a DPD restart negotiates on the right shard, and control commands act across shards. The addresses are
/// chosen so the peers' shards are not shard 0 (a host that initiated on shard 0 would fail here).
/// </summary>
public sealed class PeerSteeringDaemonTests
{
    public static TheoryData<int, string> Layouts => new() { { 2, "dispatcher" }, { 4, "reuseport" } };

    /// <summary>A (shards) initiates to B (shards): each on the other's last / first non-zero shard.</summary>
    internal static async Task<(ShardedPeer A, ShardedPeer B)> PairAsync(TempConfigDirectory dir, byte block, int shards, string steering,
        string aExtra = "", string bExtra = "")
    {
        var a = ShardedPeer.FreeEndPoint(ShardedPeer.OnShard(block, shards - 1, shards));
        var b = ShardedPeer.FreeEndPoint(ShardedPeer.OnShard((byte)(block + 1), 1, shards));
        var bPeer = await ShardedPeer.StartAsync(dir, "b", [b], shards, steering,
            new ShardedPeer.Connection("loop", a.Address.ToString(), a.Port, $"{b.Address}/32", $"{a.Address}/32", Start: false, bExtra));
        var aPeer = await ShardedPeer.StartAsync(dir, "a", [a], shards, steering,
            new ShardedPeer.Connection("loop", b.Address.ToString(), b.Port, $"{a.Address}/32", $"{b.Address}/32", Start: true, aExtra));
        Assert.True(await LoopbackPair.WaitUntil(() => aPeer.Installer.Installed.Count == 1 && bPeer.Installer.Installed.Count == 1));
        // The initiation ran on a's shard of b's address, b answered on its shard of a's address; no other shard has one.
        Assert.Equal(OnlyOn(ShardedPeer.ShardOf(b.Address, shards), shards), aPeer.Phase1PerShard.Select(n => n > 0));
        Assert.Equal(OnlyOn(ShardedPeer.ShardOf(a.Address, shards), shards), bPeer.Phase1PerShard.Select(n => n > 0));
        return (aPeer, bPeer);
    }

    private static IEnumerable<bool> OnlyOn(int shard, int shards) => Enumerable.Range(0, shards).Select(i => i == shard);

    /// <summary>Both sides list exactly one ISAKMP SA (the same cookies, not <paramref name="old"/>'s) and one pair.</summary>
    internal static bool OneSet(ShardedPeer a, ShardedPeer b, string old, string? spiIn = null)
    {
        var (aIke, aChild) = a.Registry.Snapshot();
        var (bIke, bChild) = b.Registry.Snapshot();
        return aIke.Count == 1 && bIke.Count == 1 && aIke[0].InitiatorCookie != old && aIke[0].InitiatorCookie == bIke[0].InitiatorCookie &&
               aIke[0].ResponderCookie == bIke[0].ResponderCookie && aIke[0].State == bIke[0].State &&
               aChild.Count == 1 && bChild.Count == 1 && aChild[0].SpiIn == bChild[0].SpiOut && aChild[0].SpiOut == bChild[0].SpiIn &&
               (spiIn is null || aChild[0].SpiIn == spiIn);
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task ReauthenticationAdoptsTheIpsecPairs(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var (a, b) = await PairAsync(dir, 81, shards, steering);
        await using var ownedA = a;
        await using var ownedB = b;
        var first = Assert.Single(a.IkeSas);
        var spiIn = Assert.Single(a.ChildSas).SpiIn;

        var answer = await a.Sharded.ReauthenticateAsync(Convert.ToUInt64(first.InitiatorCookie, 16), Convert.ToUInt64(first.ResponderCookie, 16));
        Assert.True(answer.Ok, answer.Message);

        // The new ISAKMP SA took the pair over on both sides; the old one went without it (nothing reinstalled).
        Assert.True(await LoopbackPair.WaitUntil(() => OneSet(a, b, first.InitiatorCookie, spiIn)));
        Assert.Equal(2, a.Phase1PerShard.Sum());
        Assert.Equal(2, b.Phase1PerShard.Sum());
        Assert.Equal(Convert.ToUInt32(spiIn, 16), Assert.Single(a.Installer.Installed).InboundSpi);
        Assert.Single(b.Installer.Installed);
    }

    /// <summary>
    /// A peer that restarted without a goodbye (same address, another port, fresh state) sends INITIAL-CONTACT: its new
    /// Phase 1 lands on the shard holding the old SAs, which are dropped, the old IPsec pair with them (not adopted as
    /// on a reauthentication: the peer lost those keys).
    /// </summary>
    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task InitialContactFromARestartedPeerClearsItsOldSas(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var (a, b) = await PairAsync(dir, 87, shards, steering);
        await using var ownedA = a;
        await using var ownedB = b;
        var old = Assert.Single(b.IkeSas);
        var aAddress = a.Sharded.LocalEndPoints[0].Address;
        var bEnd = b.Sharded.LocalEndPoints[0];
        await using var a2 = await ShardedPeer.StartAsync(dir, "a2", [ShardedPeer.FreeEndPoint(aAddress)], shards, steering,
            new ShardedPeer.Connection("loop", bEnd.Address.ToString(), bEnd.Port, $"{aAddress}/32", $"{bEnd.Address}/32", Start: true));
        var a2Port = a2.Sharded.LocalEndPoints[0].Port;

        Assert.True(await LoopbackPair.WaitUntil(() =>
            b.IkeSas is [var only] && only.InitiatorCookie != old.InitiatorCookie && only.Remote.EndsWith($":{a2Port}", StringComparison.Ordinal) &&
            b.Installer.Installed.Count == 1 && a2.Installer.Installed.Count == 1 &&
            b.Installer.Installed[0].InboundSpi == a2.Installer.Installed[0].OutboundSpi),
            string.Join("; ", b.IkeSas.Select(x => $"{x.InitiatorCookie} {x.Remote} {x.State}")) + " | a2: " +
            string.Join("; ", a2.IkeSas.Select(x => $"{x.InitiatorCookie} {x.Remote} {x.State}")) +
            $" | b installed {b.Installer.Installed.Count}, a2 installed {a2.Installer.Installed.Count} | b diag " +
            string.Join(",", b.Sharded.Shards.SelectMany(s => Enum.GetValues<DiagnosticCode>().Where(c => s.Counters[c] > 0).Select(c => $"{c}={s.Counters[c]}"))));
        var owner = b.Sharded.Shards[ShardedPeer.ShardOf(aAddress, shards)];
        Assert.True(owner.Counters[DiagnosticCode.InitialContact] > 0);
    }

    /// <summary>
    /// a's Phase 1 list on a sharded a with two peers on different shards: list (status) shows both, terminate by
    /// connection and by SPI reach the owning shard, and initiate starts on the peer's shard again.
    /// </summary>
    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task TerminateListAndInitiateAcrossShards(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var aEnd = ShardedPeer.FreeEndPoint(ShardedPeer.OnShard(89, 0, shards));
        var b1End = ShardedPeer.FreeEndPoint(ShardedPeer.OnShard(90, 0, shards));
        var b2End = ShardedPeer.FreeEndPoint(ShardedPeer.OnShard(90, shards - 1, shards));
        await using var b1 = await ShardedPeer.StartAsync(dir, "b1", [b1End], 1, "dispatcher",
            new ShardedPeer.Connection("to-a", aEnd.Address.ToString(), aEnd.Port, $"{b1End.Address}/32", $"{aEnd.Address}/32", Start: false));
        await using var b2 = await ShardedPeer.StartAsync(dir, "b2", [b2End], 1, "dispatcher",
            new ShardedPeer.Connection("to-a", aEnd.Address.ToString(), aEnd.Port, $"{b2End.Address}/32", $"{aEnd.Address}/32", Start: false));
        await using var a = await ShardedPeer.StartAsync(dir, "a", [aEnd], shards, steering,
            new ShardedPeer.Connection("to-b1", b1End.Address.ToString(), b1End.Port, $"{aEnd.Address}/32", $"{b1End.Address}/32", Start: true),
            new ShardedPeer.Connection("to-b2", b2End.Address.ToString(), b2End.Port, $"{aEnd.Address}/32", $"{b2End.Address}/32", Start: true));
        Assert.True(await LoopbackPair.WaitUntil(() => a.Installer.Installed.Count == 2 && b1.Installer.Installed.Count == 1 &&
                                                       b2.Installer.Installed.Count == 1));
        var perShard = a.Phase1PerShard;
        Assert.Equal(1, perShard[0]);
        Assert.Equal(1, perShard[shards - 1]);

        // status (what list-sas prints) over the control socket: both peers' SAs, whichever shard holds them.
        var status = await LoopbackPair.Ask(a.Socket, """{"command":"status"}""");
        Assert.Equal(2, status.GetProperty("ike_sas").GetArrayLength());
        Assert.Equal(2, status.GetProperty("child_sas").GetArrayLength());

        var answer = await LoopbackPair.Ask(a.Socket, """{"command":"terminate","connection":"to-b2"}""");
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        Assert.True(await LoopbackPair.WaitUntil(() => b2.IkeSas.Count == 0 && b2.Installer.Installed.Count == 0 && a.IkeSas.Count == 1));

        var spi = a.ChildSas.Single(c => c.Connection == "to-b1").SpiIn;
        answer = await LoopbackPair.Ask(a.Socket, $$"""{"command":"terminate","spi_in":"{{spi}}"}""");
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        Assert.True(await LoopbackPair.WaitUntil(() => b1.Installer.Installed.Count == 0 && a.Installer.Installed.Count == 0));

        answer = await LoopbackPair.Ask(a.Socket, """{"command":"initiate","connection":"to-b2","child":"net"}""");
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        Assert.True(await LoopbackPair.WaitUntil(() => b2.Installer.Installed.Count == 1 && a.Installer.Installed.Count == 1));
        Assert.Equal(2, a.Phase1PerShard[shards - 1]);
        answer = await LoopbackPair.Ask(a.Socket, """{"command":"terminate","connection":"nothing"}""");
        Assert.False(answer.GetProperty("ok").GetBoolean());
    }
}
