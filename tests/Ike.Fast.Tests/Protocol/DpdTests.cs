using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Protocol.Dpd;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Dead Peer Detection (RFC 3706) conversations on the virtual clock.</summary>
public sealed class DpdTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(30);

    [Fact]
    public void IdleSa_IsProbedAfterDpdDelay_AndTheAckKeepsItUp()
    {
        Conversation c = Create(dpdA: true);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        int before = c.Wire.Count;

        RunUntil(c, 29_999);
        Assert.Equal(before, c.Wire.Count);
        RunUntil(c, 30_000);
        // R-U-THERE from A, R-U-THERE-ACK from B.
        Assert.Equal([true, false], c.Wire.Skip(before).Select(w => w.FromA));
        Assert.All(c.Wire.Skip(before), w => Assert.Equal(ExchangeType.Informational, (ExchangeType)w.Bytes[18]));

        RunUntil(c, 100_000);
        Assert.Equal([], c.EventsA.Where(e => e.Diagnostic == DiagnosticCode.DpdInvalid).Select(e => e.Message));
        Assert.Empty(c.Of(true, EngineEventKind.Phase1Down));
        Assert.Equal(0, c.A.Counters[DiagnosticCode.DeadPeer]);
        Assert.Equal(0, c.A.Counters[DiagnosticCode.DpdInvalid]);
        Assert.Equal(0, c.B.Counters[DiagnosticCode.DpdInvalid]);
        // Probes at 30, 60 and 90 s, each answered.
        Assert.Equal(6, c.Wire.Count - before);
    }

    [Fact]
    public void TrafficFromThePeer_PostponesTheProbe()
    {
        Conversation c = Create(dpdA: true);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        int before = c.Wire.Count;
        RunUntil(c, 20_000);
        // B starts a Quick Mode (authenticated traffic from the peer) at 20 s.
        c.B.Initiate("conn", "child", c.Now);
        c.Pump();
        int afterQm = c.Wire.Count;
        Assert.Equal(3, afterQm - before);
        RunUntil(c, 49_999);
        Assert.Equal(afterQm, c.Wire.Count);
        RunUntil(c, 50_000);
        Assert.Equal(afterQm + 2, c.Wire.Count);
    }

    [Theory]
    [InlineData(DpdAction.Clear)]
    [InlineData(DpdAction.Hold)]
    [InlineData(DpdAction.Restart)]
    public void LostProbes_PeerDeclaredDeadAfterTimeout_ThenTheAction(DpdAction action)
    {
        Conversation c = Create(dpdA: true, action: action);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        bool peerGone = true;
        int established = c.Wire.Count;
        c.Filter = (fromA, index, bytes) => peerGone && c.Wire.Count >= established ? null : bytes;

        RunUntil(c, 179_999);
        Assert.Empty(c.Of(true, EngineEventKind.Phase1Down));
        // Probes at 30, 60, 90, 120, 150 s, each with a new sequence number.
        Assert.Equal(5, c.Wire.Count - established);

        RunUntil(c, 180_000);
        EngineEvent down = Assert.Single(c.Of(true, EngineEventKind.Phase1Down));
        Assert.Equal(DiagnosticCode.DeadPeer, down.Diagnostic);
        Assert.Single(c.Of(true, EngineEventKind.DeleteChildSa));
        Assert.Equal(1, c.A.Counters[DiagnosticCode.DeadPeer]);
        byte[] last = c.Wire[^1].Bytes;
        bool restarted = (ExchangeType)last[18] == ExchangeType.IdentityProtection && last.AsSpan(8, 8).IndexOfAnyExcept((byte)0) < 0;
        Assert.Equal(action == DpdAction.Restart, restarted);

        if (action == DpdAction.Restart)
        {
            peerGone = false;
            RunUntil(c, 200_000);
            Assert.Equal(2, c.Of(true, EngineEventKind.Phase1Up).Count);
            Assert.Equal(2, c.Of(true, EngineEventKind.InstallChildSa).Count);
        }
    }

    [Fact]
    public void PeersProbes_AreAnsweredWithTheSameSequence()
    {
        Conversation c = Create(dpdA: false, dpdB: true);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        int before = c.Wire.Count;
        RunUntil(c, 30_000);
        Assert.Equal([false, true], c.Wire.Skip(before).Select(w => w.FromA));
        Assert.Equal(0, c.B.Counters[DiagnosticCode.DpdInvalid]);
        Assert.Empty(c.Of(false, EngineEventKind.Phase1Down));
    }

    [Fact]
    public void WithoutDpdDelay_NoProbes()
    {
        Conversation c = Create(dpdA: false);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        RunUntil(c, 100_000);
        Assert.Equal(9, c.Wire.Count);
    }

    [Fact]
    public void AckMatching_AcceptsOnlyOutstandingSequences()
    {
        var s = new DpdState { NextSequence = 100, FirstOutstanding = 98, Outstanding = true };
        Assert.True(s.Acknowledges(98));
        Assert.True(s.Acknowledges(99));
        Assert.False(s.Acknowledges(100));
        Assert.False(s.Acknowledges(97));
        s.Outstanding = false;
        Assert.False(s.Acknowledges(99));
        var wrap = new DpdState { NextSequence = 2, FirstOutstanding = uint.MaxValue, Outstanding = true };
        Assert.True(wrap.Acknowledges(uint.MaxValue));
        Assert.True(wrap.Acknowledges(1));
        Assert.False(wrap.Acknowledges(2));
    }

    private static Conversation Create(bool dpdA, bool dpdB = false, DpdAction action = DpdAction.Clear) =>
        new(WithDpd(Conversation.Config(Conversation.AddressA, Conversation.AddressB), dpdA, action),
            WithDpd(Conversation.Config(Conversation.AddressB, Conversation.AddressA), dpdB, action));

    private static PeerConfig WithDpd(PeerConfig c, bool on, DpdAction action) => new()
    {
        Name = c.Name,
        LocalAddress = c.LocalAddress,
        RemoteAddress = c.RemoteAddress,
        Mode = c.Mode,
        IkeProposals = c.IkeProposals,
        LocalAuth = c.LocalAuth,
        RemoteAuth = c.RemoteAuth,
        Children = c.Children,
        DpdDelay = on ? Delay : TimeSpan.Zero,
        DpdTimeout = TimeSpan.FromSeconds(150),
        DpdAction = action,
    };

    /// <summary>Fires every deadline up to <paramref name="until"/> (periodic DPD never goes quiet).</summary>
    private static void RunUntil(Conversation c, long until)
    {
        for (int i = 0; i < 1000; i++)
        {
            long? next = Min(c.A.PollTimeout(), c.B.PollTimeout());
            if (next is null || next.Value > until)
            {
                c.Now = until;
                return;
            }

            c.Tick();
            c.Pump();
        }

        Assert.Fail("too many timer events");
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
