using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Every crossing of docs/rekeying.md on the virtual clock: both sides start at the same instant, before either sees
/// the other's message. Each ends with exactly one ISAKMP SA and one IPsec SA pair, the same on both sides, and
/// with a pair usable by both sides at every moment.
/// </summary>
public class CollisionTests
{
    private static readonly TimeSpan ChildLife = TimeSpan.FromSeconds(1000);
    private static readonly TimeSpan ChildRekey = TimeSpan.FromSeconds(900);
    private static readonly TimeSpan IkeLife = TimeSpan.FromSeconds(2000);

    [Fact]
    public void BothSidesRekeyTheSameChildAtOnce_LowestNonceTwinDeletedByItsCreatorOnly()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
        ChildSaInfo old = RekeyHarness.AssertOneSharedPair(c);
        c.Now = 10_000;
        Assert.True(c.A.RekeyChildSa(old.InboundSpi, c.Now));
        Assert.True(c.B.RekeyChildSa(old.OutboundSpi, c.Now));
        c.Pump();
        Assert.Equal(3, RekeyHarness.Live(c, true).Count); // old + both twins
        Assert.Equal(3, RekeyHarness.Live(c, false).Count);

        RekeyHarness.RunUntil(c, 30_000);

        ChildSaInfo survivor = RekeyHarness.AssertOneSharedPair(c);
        Assert.NotEqual(old.InboundSpi, survivor.InboundSpi);
        // Three pairs were installed per side, two deleted per side: the old one and the losing twin.
        Assert.Equal(3, c.Of(true, EngineEventKind.InstallChildSa).Count);
        Assert.Equal(2, c.Of(true, EngineEventKind.DeleteChildSa).Count);
        Assert.Equal(2, c.Of(false, EngineEventKind.DeleteChildSa).Count);
        RekeyHarness.AssertAlwaysCovered(c);

        // The loser is the twin whose Quick Mode had the lowest nonce; only its creator sent a Delete for it.
        List<EngineEvent> twinsA = c.Of(true, EngineEventKind.InstallChildSa).Skip(1).ToList();
        EngineEvent loserA = Assert.Single(twinsA, e => e.ChildSa!.InboundSpi != survivor.InboundSpi);
        string lost = loserA.IsInitiator ? "A" : "B";
        EngineEvent loserNote = Assert.Single((lost == "A" ? c.EventsA : c.EventsB),
            e => e.Kind == EngineEventKind.Diagnostic && e.Message!.Contains("lost a rekey collision", StringComparison.Ordinal));
        Assert.EndsWith("deleted after the delay", loserNote.Message, StringComparison.Ordinal);
        Assert.Single((lost == "A" ? c.EventsB : c.EventsA),
            e => e.Kind == EngineEventKind.Diagnostic && e.Message!.EndsWith("the peer deletes it", StringComparison.Ordinal));
    }

    [Fact]
    public void BothSidesRekeyAtOnce_SameOutcomeWhicheverSideRunsFirst()
    {
        // The rule is a function of what both sides know (nonces, installation times), so swapping who acts first
        // on the same instant picks the same survivor.
        uint Run(bool aFirst)
        {
            Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
            ChildSaInfo old = RekeyHarness.AssertOneSharedPair(c);
            c.Now = 10_000;
            if (aFirst)
            {
                c.A.RekeyChildSa(old.InboundSpi, c.Now);
                c.B.RekeyChildSa(old.OutboundSpi, c.Now);
            }
            else
            {
                c.B.RekeyChildSa(old.OutboundSpi, c.Now);
                c.A.RekeyChildSa(old.InboundSpi, c.Now);
            }

            c.Pump();
            RekeyHarness.RunUntil(c, 30_000);
            return RekeyHarness.AssertOneSharedPair(c).InboundSpi;
        }

        Assert.Equal(Run(true), Run(false));
    }

    [Fact]
    public void BothSidesReauthenticateAtOnce_OneIsakmpSaSurvivesChildrenKept()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
        EngineEvent first = Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        ChildSaInfo child = RekeyHarness.AssertOneSharedPair(c);
        c.Now = 10_000;
        Assert.True(c.A.Reauthenticate(first.InitiatorCookie, first.ResponderCookie, c.Now));
        Assert.True(c.B.Reauthenticate(first.InitiatorCookie, first.ResponderCookie, c.Now));
        c.Pump();
        Assert.Equal(3, c.A.GetSaStatus().Count);

        RekeyHarness.RunUntil(c, 30_000);

        IkeSaStatus survivor = RekeyHarness.AssertOnePhase1(c);
        Assert.NotEqual(first.InitiatorCookie, survivor.InitiatorCookie);
        Assert.Equal(2, c.Of(true, EngineEventKind.Phase1Down).Count); // the old one and the losing twin
        Assert.Equal(2, c.Of(false, EngineEventKind.Phase1Down).Count);
        Assert.Equal(child.InboundSpi, RekeyHarness.AssertOneSharedPair(c).InboundSpi);
        Assert.Empty(c.Of(true, EngineEventKind.DeleteChildSa));
        Assert.Empty(c.Of(false, EngineEventKind.DeleteChildSa));
        Assert.Equal(child.InboundSpi, Assert.Single(survivor.Children).InboundSpi);
    }

    [Fact]
    public void RekeyCrossesReauthentication_OneIsakmpSaOnePair()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
        EngineEvent first = Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        ChildSaInfo old = RekeyHarness.AssertOneSharedPair(c);
        c.Now = 10_000;
        Assert.True(c.A.Reauthenticate(first.InitiatorCookie, first.ResponderCookie, c.Now));
        Assert.True(c.B.RekeyChildSa(old.OutboundSpi, c.Now));
        c.Pump();

        RekeyHarness.RunUntil(c, 30_000);

        IkeSaStatus survivor = RekeyHarness.AssertOnePhase1(c);
        Assert.NotEqual(first.InitiatorCookie, survivor.InitiatorCookie);
        ChildSaInfo now = RekeyHarness.AssertOneSharedPair(c);
        Assert.NotEqual(old.InboundSpi, now.InboundSpi);
        Assert.Equal(now.InboundSpi, Assert.Single(survivor.Children).InboundSpi);
        RekeyHarness.AssertAlwaysCovered(c);
    }

    [Fact]
    public void DeleteCrossesRekey_TheRekeyedPairStays()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
        ChildSaInfo old = RekeyHarness.AssertOneSharedPair(c);
        c.Now = 10_000;
        Assert.True(c.A.DeleteChildSa(old.InboundSpi, c.Now));
        Assert.True(c.B.RekeyChildSa(old.OutboundSpi, c.Now));
        c.Pump();

        RekeyHarness.RunUntil(c, 30_000);

        ChildSaInfo now = RekeyHarness.AssertOneSharedPair(c);
        Assert.NotEqual(old.InboundSpi, now.InboundSpi);
        RekeyHarness.AssertOnePhase1(c);
        Assert.Single(c.Of(true, EngineEventKind.DeleteChildSa));
        Assert.Single(c.Of(false, EngineEventKind.DeleteChildSa));
    }

    [Fact]
    public void DeleteOfTheIsakmpSaCrossesReauthentication_NewIsakmpSaKeepsThePair()
    {
        Conversation c = RekeyHarness.Established(ChildLife, ChildRekey, IkeLife);
        EngineEvent first = Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        ChildSaInfo child = RekeyHarness.AssertOneSharedPair(c);
        c.Now = 10_000;
        Assert.True(c.A.Reauthenticate(first.InitiatorCookie, first.ResponderCookie, c.Now));
        c.Pump();
        // The old ISAKMP SA is deleted by B right when A's replacement came up, crossing A's own delayed Delete.
        Assert.True(c.B.DeletePhase1(first.InitiatorCookie, first.ResponderCookie, c.Now));
        c.Pump();
        RekeyHarness.RunUntil(c, 30_000);
        RekeyHarness.AssertOnePhase1(c);
        Assert.Equal(child.InboundSpi, RekeyHarness.AssertOneSharedPair(c).InboundSpi);
    }

    [Fact]
    public void AutomaticTimers_BothSidesManaged_NoCollisionOverManyGenerations()
    {
        // Short lifetimes for the child and the ISAKMP SA: rekeys and reauthentications interleave for an hour.
        Conversation c = RekeyHarness.Established(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(300));
        RekeyHarness.RunUntil(c, 3_600_000);
        RekeyHarness.AssertOnePhase1(c);
        RekeyHarness.AssertOneSharedPair(c);
        RekeyHarness.AssertAlwaysCovered(c);
        Assert.DoesNotContain(c.EventsA.Concat(c.EventsB), e => e.Message?.Contains("collision", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void CrossingQuickModeDelayedPastTheDeletionDelay_NeverNoPair_ExtraPairGoesByItsHardLifetime()
    {
        // B's crossing QM1 is lost twice and arrives 12 s late, after A already deleted the old pair: the two sides
        // then disagree on its predecessor (docs/rekeying.md, "what the rule does not cover"). Neither side may lose
        // the shared pair at any moment.
        Conversation c = RekeyHarness.Established(TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(90));
        ChildSaInfo old = RekeyHarness.AssertOneSharedPair(c);
        c.Now = 10_000;
        uint? delayed = null;
        int dropped = 0;
        c.Filter = (fromA, _, bytes) =>
        {
            if (fromA || bytes[18] != 32)
            {
                return bytes;
            }

            uint mid = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20));
            delayed ??= mid;
            if (mid == delayed && dropped < 2)
            {
                dropped++;
                return null;
            }

            return bytes;
        };
        Assert.True(c.A.RekeyChildSa(old.InboundSpi, c.Now));
        Assert.True(c.B.RekeyChildSa(old.OutboundSpi, c.Now));
        c.Pump();
        RekeyHarness.RunUntil(c, 60_000);
        Assert.Equal(2, dropped);
        RekeyHarness.AssertAlwaysCovered(c);
        Assert.InRange(RekeyHarness.Live(c, true).Count, 1, 2);

        // Here A took the late pair as the successor of its own (the survivor's creator, B, deletes the replaced
        // one) and B took the two as twins (the loser's creator, A, deletes it): each waits for the other, so the
        // extra pair stays, safe but redundant, until the next rekey takes it as predecessor or its hard lifetime
        // (the backstop) — never leaving no pair.
        EngineEvent lateA = c.Of(true, EngineEventKind.InstallChildSa)[^1];
        EngineEvent earlyA = c.Of(true, EngineEventKind.InstallChildSa)[^2];
        Assert.Equal(22_000, lateA.Time);
        RekeyHarness.RunUntil(c, 111_000);
        RekeyHarness.AssertAlwaysCovered(c);
        EngineEvent gone = Assert.Single(c.Of(true, EngineEventKind.DeleteChildSa), e => e.ChildSa!.InboundSpi == earlyA.ChildSa!.InboundSpi);
        Assert.InRange(gone.Time, 27_001, 110_000);
        Assert.Contains(c.Of(false, EngineEventKind.DeleteChildSa), e => e.ChildSa!.OutboundSpi == earlyA.ChildSa!.InboundSpi);
        Assert.Contains(lateA.ChildSa!.InboundSpi, RekeyHarness.Live(c, true).Keys);
    }
}
