using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Phase 1 reauthentication on the virtual clock: a new ISAKMP SA adopts the IPsec SAs, the old one goes.</summary>
public class ReauthTests
{
    private static readonly TimeSpan IkeLife = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan ChildLife = TimeSpan.FromSeconds(1000);
    private static readonly TimeSpan ChildRekey = TimeSpan.FromSeconds(900);

    [Fact]
    public void SoftLifetime_InitiatorReauthenticates_ChildrenMovedOldIsakmpSaDeleted()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
        EngineEvent first = Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        ChildSaInfo child = RekeyHarness.AssertOneSharedPair(c);

        RekeyHarness.RunUntil(c, 99_000);

        List<EngineEvent> ups = c.Of(true, EngineEventKind.Phase1Up);
        Assert.Equal(2, ups.Count);
        Assert.InRange(ups[1].Time, 85_000, 90_000); // 90% of the lifetime less up to 5% jitter
        Assert.Equal(2, c.Of(false, EngineEventKind.Phase1Up).Count);
        EngineEvent downA = Assert.Single(c.Of(true, EngineEventKind.Phase1Down));
        EngineEvent downB = Assert.Single(c.Of(false, EngineEventKind.Phase1Down));
        Assert.Equal(first.InitiatorCookie, downA.InitiatorCookie);
        Assert.Equal(first.InitiatorCookie, downB.InitiatorCookie);
        Assert.Equal(ups[1].Time + RekeyHarness.Managed.RekeyDeleteDelayMs, downA.Time);

        // The IPsec SA pair was kept (not renegotiated, not deleted) and now lives in the new ISAKMP SA.
        Assert.Equal(child.InboundSpi, RekeyHarness.AssertOneSharedPair(c).InboundSpi);
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        IkeSaStatus now = RekeyHarness.AssertOnePhase1(c);
        Assert.Equal(ups[1].InitiatorCookie, now.InitiatorCookie);
        Assert.Equal(child.InboundSpi, Assert.Single(now.Children).InboundSpi);
        Assert.Single(Assert.Single(c.B.GetSaStatus()).Children);
    }

    [Fact]
    public void AfterReauthentication_ChildRekeyRunsOverTheNewIsakmpSa()
    {
        Conversation c = RekeyHarness.Established(TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(150), IkeLife);
        RekeyHarness.RunUntil(c, 160_000);
        EngineEvent secondUp = c.Of(true, EngineEventKind.Phase1Up)[1];
        EngineEvent rekeyed = c.Of(true, EngineEventKind.InstallChildSa)[^1];
        Assert.Equal((secondUp.InitiatorCookie, secondUp.ResponderCookie), (rekeyed.InitiatorCookie, rekeyed.ResponderCookie));
        RekeyHarness.AssertOneSharedPair(c);
        RekeyHarness.AssertOnePhase1(c);
        RekeyHarness.AssertAlwaysCovered(c);
    }

    [Fact]
    public void PeerDeletesOldIsakmpSaAfterAdoption_ChildrenSurvive()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
        EngineEvent first = Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        c.Now = 10_000;
        Assert.True(c.A.Reauthenticate(first.InitiatorCookie, first.ResponderCookie, c.Now));
        c.Pump();
        Assert.Equal(2, c.A.Phase1SaCount);
        // B (which did not initiate the old SA but knows it is replaced) deletes it explicitly before the delay ends.
        Assert.True(c.B.DeletePhase1(first.InitiatorCookie, first.ResponderCookie, c.Now));
        c.Pump();
        Assert.Empty(c.Of(true, EngineEventKind.DeleteChildSa));
        Assert.Empty(c.Of(false, EngineEventKind.DeleteChildSa));
        RekeyHarness.AssertOnePhase1(c);
        RekeyHarness.AssertOneSharedPair(c);
    }

    [Fact]
    public void HardExpiry_ReauthenticationNeverCompletes_IsakmpSaAndChildrenDeletedPeerTold()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
        // Every new Main Mode is lost (MM1 has a zero responder cookie).
        c.Filter = (_, _, bytes) => bytes[18] == 2 && bytes.AsSpan(8, 8).IndexOfAnyExcept((byte)0) < 0 ? null : bytes;
        RekeyHarness.RunUntil(c, 101_000);
        Assert.DoesNotContain(c.A.GetSaStatus(), s => s.State == "Established");
        Assert.DoesNotContain(c.B.GetSaStatus(), s => s.State == "Established");
        Assert.Empty(RekeyHarness.Live(c, true));
        Assert.Empty(RekeyHarness.Live(c, false));
        // Both sides deleted it at its hard lifetime (100 s), the IPsec SA with it.
        Assert.Equal(100_000, Assert.Single(c.Of(true, EngineEventKind.Phase1Down), e => e.Message == "deleted").Time);
        Assert.Equal(100_000, Assert.Single(c.Of(false, EngineEventKind.Phase1Down), e => e.Message == "deleted").Time);
        Assert.All(c.Of(true, EngineEventKind.DeleteChildSa), e => Assert.Equal(100_000, e.Time));
    }
}
