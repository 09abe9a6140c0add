using System.Net;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

public class RetransmissionTests
{
    [Fact]
    public void LostReply_InitiatorRetransmitsWithExponentialBackoff()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        bool blackhole = true;
        var sentByA = new List<long>();
        c.Filter = (fromA, index, bytes) =>
        {
            if (fromA && sentByA.Count < 4)
            {
                sentByA.Add(c.Now);
            }

            return !fromA && blackhole ? null : bytes;
        };
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        for (int i = 0; i < 3; i++)
        {
            c.Tick();
            c.Pump();
        }

        Assert.Equal([0L, 4000L, 12000L, 28000L], sentByA); // MM1 at 0, then after 4 s, 8 s, 16 s
        blackhole = false;
        c.RunUntilQuiet();
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void RetransmittedRequest_GetsTheSameReplyAgain_NoSecondDh()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.Filter = (fromA, index, bytes) => index == 3 ? null : bytes; // MM4 lost
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        byte[] mm3 = c.Wire[2].Bytes;
        byte[] mm4 = c.Wire[3].Bytes;
        int dhBefore = c.DhB.KeyPairs + c.DhB.SharedSecrets;
        /* MM3 HDR, KE, Ni --> (again) */
        c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), mm3);
        var buffer = new byte[65536];
        Assert.True(c.B.PollTransmit(buffer, out Transmit again));
        Assert.Equal(mm4, buffer[..again.Length]);
        Assert.Equal(dhBefore, c.DhB.KeyPairs + c.DhB.SharedSecrets);
        Assert.Equal(1, c.B.Counters[DiagnosticCode.Retransmission]);
        c.A.Handle(0, new IPEndPoint(Conversation.AddressA, 500), new IPEndPoint(Conversation.AddressB, 500), mm4);
        c.Filter = null;
        c.Pump();
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void DuplicatedFinalMessage_IsAbsorbed_NotAnsweredWithAnEarlierFlight()
    {
        // MM6 is the last Main Mode message: an initiator whose last flight is MM5 must not resend MM5 when a copy of
        // MM6 arrives (MM5 answered MM4, not MM6), or the responder answers the resent MM5 with MM6 again, forever.
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        byte[] mm6 = c.Wire[5].Bytes;
        Assert.False(c.Wire[5].FromA);
        /* <-- MM6 HDR*, IDir, HASH_R (duplicate) */
        c.A.Handle(c.Now, new IPEndPoint(Conversation.AddressA, 500), new IPEndPoint(Conversation.AddressB, 500), mm6);
        var buffer = new byte[65536];
        Assert.False(c.A.PollTransmit(buffer, out _));
        Assert.Equal(1, c.A.Counters[DiagnosticCode.Retransmission]);
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
    }

    [Fact]
    public void RetransmittedQuickMode1AfterCompletion_IsAnsweredFromTheCache()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        byte[] qm1 = c.Wire[6].Bytes;
        byte[] qm2 = c.Wire[7].Bytes;
        c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), qm1);
        var buffer = new byte[65536];
        // QM2 already answered and QM3 received: the exchange is done, a late QM1 copy is absorbed or answered identically.
        if (c.B.PollTransmit(buffer, out Transmit t))
        {
            Assert.Equal(qm2, buffer[..t.Length]);
        }

        c.Drain();
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void UnansweredInitiator_GivesUpAfterTheLimit()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", options: new EndpointOptions { RetransmitLimit = 3, RetransmitInitialMs = 1000 });
        c.Filter = (fromA, index, bytes) => null; // the network eats everything
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        c.RunUntilQuiet();
        Assert.Equal(4, c.Wire.Count(w => w.FromA)); // first transmission + 3 retransmissions
        EngineEvent down = Assert.Single(c.Of(true, EngineEventKind.Phase1Down));
        Assert.Equal(DiagnosticCode.Timeout, down.Diagnostic);
        Assert.Equal(1000 + 2000 + 4000 + 8000, c.Now);
        Assert.Null(c.A.PollTimeout());
    }

    [Fact]
    public void HalfOpenSas_AreBoundedPerSourceAddressAndGlobally()
    {
        var options = new EndpointOptions { MaxHalfOpenPerAddress = 2 };
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", options: options);
        c.A.Initiate("conn", "child", 0);
        byte[] buffer = new byte[65536];
        Assert.True(c.A.PollTransmit(buffer, out Transmit t));
        byte[] mm1 = buffer[..t.Length];
        for (int i = 0; i < 5; i++)
        {
            mm1[7] = (byte)i; // a new initiator cookie each time
            c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), mm1);
        }

        Assert.Equal(2, c.B.Phase1SaCount);
        Assert.Equal(3, c.B.Counters[DiagnosticCode.HalfOpenLimit]);
        // Global cap: another endpoint with room for one.
        var d = Conversation.Create(ike: "aes128-sha256-ecp256", options: new EndpointOptions { MaxHalfOpen = 1 });
        for (int i = 0; i < 3; i++)
        {
            mm1[7] = (byte)(100 + i);
            d.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), mm1);
        }

        Assert.Equal(1, d.B.Phase1SaCount);
        Assert.Equal(2, d.B.Counters[DiagnosticCode.HalfOpenLimit]);
        // Half-open responder SAs expire.
        c.Now = options.HalfOpenTimeoutMs;
        c.B.HandleTimeout(c.Now);
        Assert.Equal(0, c.B.Phase1SaCount);
    }

    [Fact]
    public void GarbageDatagrams_AreCountedAndDropped()
    {
        var c = Conversation.Create();
        c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), new byte[] { 1, 2, 3 });
        c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), new byte[100]);
        Assert.Equal(2, c.B.Counters.Dropped);
        Assert.Equal(0, c.B.Phase1SaCount);
    }

    [Fact]
    public void DiagnosticFlood_IsBounded()
    {
        var c = Conversation.Create(options: new EndpointOptions { MaxPendingDiagnostics = 10 });
        for (int i = 0; i < 100; i++)
        {
            c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), new byte[40]);
        }

        c.Drain();
        Assert.Equal(10, c.EventsB.Count);
        Assert.Equal(90, c.B.Counters.DiagnosticsSuppressed);
        Assert.Equal(100, c.B.Counters[DiagnosticCode.Malformed]);
    }
}
