using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Phase 2 rekeying and hard expiry on the virtual clock (EndpointOptions.ManageLifetimes).</summary>
public class RekeyTests
{
    private static readonly TimeSpan ChildLife = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan ChildRekey = TimeSpan.FromSeconds(60);

    [Fact]
    public void SoftLifetime_CreatorRekeys_NewPairOnBothSidesThenOldDeletedOnBoth()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey);
        ChildSaInfo old = RekeyHarness.AssertOneSharedPair(c);

        RekeyHarness.RunUntil(c, 80_000);

        // One rekey only (the responder's fallback comes later than the creator's soft time): no collision.
        List<EngineEvent> installsA = c.Of(true, EngineEventKind.InstallChildSa);
        Assert.Equal(2, installsA.Count);
        Assert.Equal(2, c.Of(false, EngineEventKind.InstallChildSa).Count);
        long rekeyedAt = installsA[1].Time;
        Assert.InRange(rekeyedAt, 54_000, 60_000); // rekey_time less up to 10% jitter
        Assert.True(installsA[1].IsInitiator);

        ChildSaInfo now = RekeyHarness.AssertOneSharedPair(c);
        Assert.NotEqual(old.InboundSpi, now.InboundSpi);
        EngineEvent deletedA = Assert.Single(c.Of(true, EngineEventKind.DeleteChildSa));
        EngineEvent deletedB = Assert.Single(c.Of(false, EngineEventKind.DeleteChildSa));
        Assert.Equal(old.InboundSpi, deletedA.ChildSa!.InboundSpi);
        Assert.Equal(old.OutboundSpi, deletedB.ChildSa!.InboundSpi);
        // The old pair goes RekeyDeleteDelayMs after the new one is installed, not before.
        Assert.Equal(rekeyedAt + RekeyHarness.Managed.RekeyDeleteDelayMs, deletedA.Time);
        RekeyHarness.AssertAlwaysCovered(c);
    }

    [Fact]
    public void SeveralGenerations_EachRekeyedBeforeExpiry_AlwaysOnePairAtTheEnd()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey);
        RekeyHarness.RunUntil(c, 400_000);
        Assert.True(c.Of(true, EngineEventKind.InstallChildSa).Count >= 7);
        // Past the deletion delay of the last rekey (the next one is ~54 s away).
        RekeyHarness.RunUntil(c, c.Of(true, EngineEventKind.InstallChildSa)[^1].Time + RekeyHarness.Managed.RekeyDeleteDelayMs + 1);
        RekeyHarness.AssertOneSharedPair(c);
        RekeyHarness.AssertAlwaysCovered(c);
        // No pair ever reached its hard lifetime: every delete came from a rekey.
        Assert.DoesNotContain(c.EventsA, e => e.Kind == EngineEventKind.Diagnostic && e.Message!.EndsWith("expired", StringComparison.Ordinal));
    }

    [Fact]
    public void KernelSoftLimit_RekeyChildSa_RekeysNow()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey);
        ChildSaInfo old = RekeyHarness.AssertOneSharedPair(c);
        c.Now = 10_000;
        Assert.True(c.A.RekeyChildSa(old.InboundSpi, c.Now));
        c.Pump();
        Assert.Equal(2, RekeyHarness.Live(c, true).Count);
        RekeyHarness.RunUntil(c, 20_000);
        Assert.NotEqual(old.InboundSpi, RekeyHarness.AssertOneSharedPair(c).InboundSpi);
        Assert.False(c.A.RekeyChildSa(0xdeadbeef, c.Now));
    }

    [Fact]
    public void HardExpiry_RekeyNeverCompletes_BothDeleteAndTellThePeer()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey);
        // Every Quick Mode from now on is lost; Informational exchanges still pass.
        c.Filter = (_, _, bytes) => bytes[18] == 32 ? null : bytes;
        RekeyHarness.RunUntil(c, 120_000);
        Assert.Empty(RekeyHarness.Live(c, true));
        Assert.Empty(RekeyHarness.Live(c, false));
        Assert.Contains(c.EventsA, e => e.Kind == EngineEventKind.Diagnostic && e.Message!.EndsWith("expired", StringComparison.Ordinal));
        // The deletes happened at the hard lifetime (100 s), not before.
        Assert.All(c.Of(true, EngineEventKind.DeleteChildSa), e => Assert.Equal(100_000, e.Time));
        // Rekeys were attempted (and retried) before that.
        Assert.True(c.EventsA.Count(e => e.Message?.StartsWith("rekeying", StringComparison.Ordinal) == true) >= 2);
    }

    [Fact]
    public void NotManaged_NoRekeyNoExpiry_HostKeepsTheJob()
    {
        Conversation c = Conversation.Create();
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        RekeyHarness.RunUntil(c, 5_000_000);
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Empty(c.Of(true, EngineEventKind.DeleteChildSa));
    }

    [Fact]
    public void ResponderFallback_RoadWarriorServer_RekeysWithTheNegotiatedNarrowedSelectors()
    {
        // A proposes a narrower local network than B's child allows and never rekeys (not managed); B, the gateway
        // without the peer's address, rekeys by its fallback timer over the existing ISAKMP SA and must propose the
        // selectors the pair has, not its configured ones (which A would refuse).
        void Narrow(ChildConfigBuilder b)
        {
            b.LifeTime = ChildLife;
            b.RekeyTime = ChildRekey;
            b.LocalNet = "10.1.5.0/24";
        }

        void Wide(ChildConfigBuilder b)
        {
            b.LifeTime = ChildLife;
            b.RekeyTime = ChildRekey;
        }

        var a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, child: Narrow);
        var b0 = Conversation.Config(Conversation.AddressB, Conversation.AddressA, child: Wide);
        var b = new Ike.Fast.Policy.PeerConfig
        {
            Name = b0.Name, LocalAddress = b0.LocalAddress, RemoteAddress = null, IkeProposals = b0.IkeProposals,
            LocalAuth = b0.LocalAuth, RemoteAuth = b0.RemoteAuth, Children = b0.Children,
        };
        var c = new Conversation(a, b, optionsA: null, optionsB: RekeyHarness.Managed);
        Assert.True(c.A.Initiate("conn", "child", 0));
        c.Pump();
        ChildSaInfo old = RekeyHarness.AssertOneSharedPair(c);
        Assert.Equal("10.1.5.0/24", old.LocalTs.ToString());

        RekeyHarness.RunUntil(c, 90_000);

        // B's fallback: 90% of 100 s capped rekey_time 60 s, plus half the 40 s left = 80 s.
        EngineEvent rekeyed = c.Of(false, EngineEventKind.InstallChildSa)[^1];
        Assert.Equal(80_000, rekeyed.Time);
        Assert.True(rekeyed.IsInitiator);
        Assert.Equal("10.1.5.0/24", rekeyed.ChildSa!.RemoteTs.ToString());
        Assert.Equal(2, c.Of(true, EngineEventKind.InstallChildSa).Count);
        Assert.DoesNotContain(c.EventsA, e => e.Diagnostic == DiagnosticCode.InvalidIdInformation);
    }
}
