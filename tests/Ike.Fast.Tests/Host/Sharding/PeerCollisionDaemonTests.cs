using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host.Sharding;

/// <summary>
/// Crossing exchanges between two sharded daemons (docs/rekeying.md's collision rule needs both of a peer's new SAs on
/// one shard): apart from <see cref="PeerSteeringDaemonTests"/> so the two classes' grace-time waits run in parallel.
/// </summary>
public sealed class PeerCollisionDaemonTests
{
    /// <summary>Both sides reauthenticate at once: the collision rule (docs/rekeying.md) keeps one ISAKMP SA, the pair survives.</summary>
    [Theory]
    [MemberData(nameof(PeerSteeringDaemonTests.Layouts), MemberType = typeof(PeerSteeringDaemonTests))]
    public async Task BothSidesReauthenticateAtOnce_OneSetSurvives(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var (a, b) = await PeerSteeringDaemonTests.PairAsync(dir, 83, shards, steering);
        await using var ownedA = a;
        await using var ownedB = b;
        var first = Assert.Single(a.IkeSas);
        var spiIn = Assert.Single(a.ChildSas).SpiIn;
        var (i, r) = (Convert.ToUInt64(first.InitiatorCookie, 16), Convert.ToUInt64(first.ResponderCookie, 16));

        var answers = await Task.WhenAll(a.Sharded.ReauthenticateAsync(i, r), b.Sharded.ReauthenticateAsync(i, r));
        Assert.All(answers, x => Assert.True(x.Ok, x.Message));

        // Two new ISAKMP SAs crossed: the redundant one is deleted by its creator after the grace time.
        Assert.True(await LoopbackPair.WaitUntil(() => PeerSteeringDaemonTests.OneSet(a, b, first.InitiatorCookie, spiIn)));
        Assert.Equal(3, a.Phase1PerShard.Sum());
        Assert.Single(a.Installer.Installed);
        Assert.Single(b.Installer.Installed);
    }

    /// <summary>Both sides rekey the pair at once (as two kernel soft expiries would): one new pair survives on both sides.</summary>
    [Theory]
    [MemberData(nameof(PeerSteeringDaemonTests.Layouts), MemberType = typeof(PeerSteeringDaemonTests))]
    public async Task BothSidesRekeyThePairAtOnce_OnePairSurvives(int shards, string steering)
    {
        using var dir = new TempConfigDirectory();
        var (a, b) = await PeerSteeringDaemonTests.PairAsync(dir, 85, shards, steering);
        await using var ownedA = a;
        await using var ownedB = b;
        var ike = Assert.Single(a.IkeSas).InitiatorCookie;
        var aSpi = Convert.ToUInt32(Assert.Single(a.ChildSas).SpiIn, 16);
        var bSpi = Convert.ToUInt32(Assert.Single(b.ChildSas).SpiIn, 16);

        var answers = await Task.WhenAll(a.Sharded.RekeyChildAsync(aSpi, "loop", "net"), b.Sharded.RekeyChildAsync(bSpi, "loop", "net"));
        Assert.All(answers, x => Assert.True(x.Ok, x.Message));

        Assert.True(await LoopbackPair.WaitUntil(() =>
            a.Installer.Installed.Count == 1 && b.Installer.Installed.Count == 1 && a.Installer.Installed[0].InboundSpi != aSpi &&
            a.Installer.Installed[0].InboundSpi == b.Installer.Installed[0].OutboundSpi &&
            a.Installer.Installed[0].OutboundSpi == b.Installer.Installed[0].InboundSpi));
        Assert.Equal(ike, Assert.Single(a.IkeSas).InitiatorCookie);
    }
}
