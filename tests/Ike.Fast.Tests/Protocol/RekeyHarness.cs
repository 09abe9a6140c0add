using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Two endpoints that manage lifetimes, short lifetimes, and what each side has installed and deleted.</summary>
internal static class RekeyHarness
{
    public static readonly EndpointOptions Managed = new() { ManageLifetimes = true };

    public static Conversation Create(TimeSpan childLife, TimeSpan childRekey, TimeSpan? ikeLife = null, bool responderKnowsPeer = true)
    {
        void Child(ChildConfigBuilder b)
        {
            b.LifeTime = childLife;
            b.RekeyTime = childRekey;
        }

        PeerConfig a = WithIkeLifetime(Conversation.Config(Conversation.AddressA, Conversation.AddressB, child: Child), ikeLife, true);
        PeerConfig b = WithIkeLifetime(Conversation.Config(Conversation.AddressB, Conversation.AddressA, child: Child), ikeLife, responderKnowsPeer);
        return new Conversation(a, b, Managed, Managed);
    }

    /// <summary>Phase 1 and one child, initiated by A at time 0.</summary>
    public static Conversation Established(TimeSpan childLife, TimeSpan childRekey, TimeSpan? ikeLife = null, bool responderKnowsPeer = true)
    {
        Conversation c = Create(childLife, childRekey, ikeLife, responderKnowsPeer);
        Assert.True(c.A.Initiate("conn", "child", 0));
        c.Pump();
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
        return c;
    }

    private static PeerConfig WithIkeLifetime(PeerConfig p, TimeSpan? life, bool knowsPeer) => new()
    {
        Name = p.Name,
        LocalAddress = p.LocalAddress,
        RemoteAddress = knowsPeer ? p.RemoteAddress : null,
        Mode = p.Mode,
        IkeProposals = p.IkeProposals,
        LocalAuth = p.LocalAuth,
        RemoteAuth = p.RemoteAuth,
        Children = p.Children,
        IkeLifetime = life ?? p.IkeLifetime,
    };

    /// <summary>Runs the timers (and delivers what they send) until the virtual clock passes <paramref name="until"/>.</summary>
    public static void RunUntil(Conversation c, long until)
    {
        for (int i = 0; i < 10000; i++)
        {
            long? next = Min(c.A.PollTimeout(), c.B.PollTimeout());
            if (next is null || next > until)
            {
                c.Now = Math.Max(c.Now, until);
                return;
            }

            c.Tick();
            c.Pump();
        }

        Assert.Fail("timers did not settle");
    }

    /// <summary>The IPsec SA pairs installed and not deleted on one side, by inbound SPI.</summary>
    public static Dictionary<uint, ChildSaInfo> Live(Conversation c, bool a) => LiveAt(a ? c.EventsA : c.EventsB, long.MaxValue);

    /// <summary>Exactly one live pair on each side, and it is the same pair (A's inbound is B's outbound).</summary>
    public static ChildSaInfo AssertOneSharedPair(Conversation c)
    {
        ChildSaInfo a = Assert.Single(Live(c, true).Values);
        ChildSaInfo b = Assert.Single(Live(c, false).Values);
        Assert.Equal(a.InboundSpi, b.OutboundSpi);
        Assert.Equal(a.OutboundSpi, b.InboundSpi);
        return a;
    }

    /// <summary>
    /// No lost traffic: from the first installation on, each side always holds a pair whose other half the peer
    /// holds too (checked at every event time across both sides' event streams).
    /// </summary>
    public static void AssertAlwaysCovered(Conversation c)
    {
        var times = c.EventsA.Concat(c.EventsB)
            .Where(e => e.Kind is EngineEventKind.InstallChildSa or EngineEventKind.DeleteChildSa)
            .Select(e => e.Time).Distinct().Order().ToList();
        foreach (long t in times)
        {
            Dictionary<uint, ChildSaInfo> a = LiveAt(c.EventsA, t);
            Dictionary<uint, ChildSaInfo> b = LiveAt(c.EventsB, t);
            Assert.True(a.Values.Any(x => b.ContainsKey(x.OutboundSpi) && b[x.OutboundSpi].OutboundSpi == x.InboundSpi),
                $"no pair shared by both sides at t={t}");
        }
    }

    /// <summary>One established ISAKMP SA on each side, the same one.</summary>
    public static IkeSaStatus AssertOnePhase1(Conversation c)
    {
        IkeSaStatus a = Assert.Single(c.A.GetSaStatus());
        IkeSaStatus b = Assert.Single(c.B.GetSaStatus());
        Assert.Equal((a.InitiatorCookie, a.ResponderCookie), (b.InitiatorCookie, b.ResponderCookie));
        Assert.Equal("Established", a.State);
        return a;
    }

    private static Dictionary<uint, ChildSaInfo> LiveAt(List<EngineEvent> events, long t)
    {
        var live = new Dictionary<uint, ChildSaInfo>();
        foreach (EngineEvent e in events.Where(e => e.Time <= t))
        {
            if (e.Kind == EngineEventKind.InstallChildSa)
            {
                live[e.ChildSa!.InboundSpi] = e.ChildSa;
            }
            else if (e.Kind == EngineEventKind.DeleteChildSa)
            {
                live.Remove(e.ChildSa!.InboundSpi);
            }
        }

        return live;
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
