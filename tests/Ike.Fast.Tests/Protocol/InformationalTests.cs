using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

public class InformationalTests
{
    private static Conversation Established()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        return c;
    }

    [Fact]
    public void DeleteChildSa_ProtectedDelete_PeerRemovesThePair()
    {
        Conversation c = Established();
        ChildSaInfo a = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.True(c.A.DeleteChildSa(a.InboundSpi, 0));
        /* INFO HDR*, HASH(1), D(ESP, SPI) --> */
        c.Pump();
        Assert.Equal(a.InboundSpi, Assert.Single(c.Of(true, EngineEventKind.DeleteChildSa)).ChildSa!.InboundSpi);
        Assert.Equal(a.InboundSpi, Assert.Single(c.Of(false, EngineEventKind.DeleteChildSa)).ChildSa!.OutboundSpi);
        Assert.Empty(c.Of(false, EngineEventKind.Phase1Down));
    }

    [Fact]
    public void DeletePhase1_PeerDropsTheIsakmpSaAndItsChildren()
    {
        Conversation c = Established();
        EngineEvent up = Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.True(c.A.DeletePhase1(up.InitiatorCookie, up.ResponderCookie, 0));
        /* INFO HDR*, HASH(1), D(ESP) --> */
        /* INFO HDR*, HASH(1), D(ISAKMP, CKY-I|CKY-R) --> */
        c.Pump();
        Assert.Single(c.Of(false, EngineEventKind.Phase1Down));
        Assert.Single(c.Of(false, EngineEventKind.DeleteChildSa));
        Assert.Equal(0, c.A.Phase1SaCount);
        Assert.Equal(0, c.B.Phase1SaCount);
    }

    [Fact]
    public void ReplayedDelete_IsDroppedAsDuplicate()
    {
        Conversation c = Established();
        ChildSaInfo a = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        c.A.DeleteChildSa(a.InboundSpi, 0);
        c.Pump();
        byte[] delete = c.Wire[^1].Bytes;
        c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), delete);
        Assert.Equal(1, c.B.Counters[DiagnosticCode.Duplicate]);
    }

    [Fact]
    public void UnprotectedDelete_IsLoggedNeverTrusted()
    {
        Conversation c = Established();
        EngineEvent up = Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        byte[] buffer = new byte[256];
        var w = new IsakmpWriter(buffer);
        w.WriteHeader(new IsakmpHeader(up.InitiatorCookie, up.ResponderCookie, PayloadType.None, ExchangeType.Informational, IsakmpFlags.None, 0x1234));
        w.WriteNotification(1, ProtocolId.Isakmp, NotifyMessageType.AuthenticationFailed, default, default);
        Assert.True(w.TryFinish(out int length));
        c.B.Handle(0, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), buffer.AsSpan(0, length));
        c.Drain();
        EngineEvent logged = Assert.Single(c.Of(false, EngineEventKind.Diagnostic));
        Assert.Equal(DiagnosticCode.UnprotectedNotify, logged.Diagnostic);
        Assert.Equal(NotifyMessageType.AuthenticationFailed, logged.Notify);
        Assert.Empty(c.Of(false, EngineEventKind.Phase1Down));
        Assert.Equal(1, c.B.Phase1SaCount);
    }

    [Fact]
    public void InitialContact_PeerRestart_DropsItsOlderSas()
    {
        Conversation c = Established();
        ChildSaInfo old = Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        // A "reboots": a fresh endpoint with the same configuration sends INITIAL-CONTACT in MM5.
        c.A = new Ike.Fast.Protocol.Endpoint([c.ConfigA], Conversation.Secrets(), c.DhA, new DeterministicEngineRandom(99), c.SpisA);
        c.A.Initiate("conn", "child", 1000);
        c.Now = 1000;
        c.Pump();
        Assert.Equal(2, c.Of(false, EngineEventKind.Phase1Up).Count);
        Assert.Equal(1, c.B.Counters[DiagnosticCode.InitialContact]);
        Assert.Single(c.Of(false, EngineEventKind.Phase1Down));
        Assert.Equal(old.InboundSpi, Assert.Single(c.Of(false, EngineEventKind.DeleteChildSa)).ChildSa!.InboundSpi);
        Assert.Equal(1, c.B.Phase1SaCount);
    }

    [Fact]
    public void SecondSaToTheSamePeer_DoesNotSendInitialContact()
    {
        Conversation c = Established();
        var second = new Ike.Fast.Policy.PeerConfig
        {
            Name = "conn2",
            LocalAddress = Conversation.AddressA,
            RemoteAddress = Conversation.AddressB,
            IkeProposals = c.ConfigA.IkeProposals,
            Children = c.ConfigA.Children,
        };
        // Same endpoint, another connection to the same peer: the existing SA means no INITIAL-CONTACT.
        var a = new Ike.Fast.Protocol.Endpoint([c.ConfigA, second], Conversation.Secrets(), c.DhA, new DeterministicEngineRandom(7), c.SpisA);
        c.A = a;
        a.Initiate("conn", "child", 0);
        c.Pump();
        a.Initiate("conn2", "child", 0);
        c.Pump();
        Assert.Equal(0, c.B.Counters[DiagnosticCode.InitialContact] - 1); // only the first SA of the new endpoint carried it
    }

    [Fact]
    public void Phase1Lifetime_Expires_DeleteSentIpsecSasKept()
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, "aes128-sha256-ecp256");
        a = new PeerConfig { Name = a.Name, LocalAddress = a.LocalAddress, RemoteAddress = a.RemoteAddress, IkeProposals = a.IkeProposals, Children = a.Children, IkeLifetime = TimeSpan.FromSeconds(600) };
        var c = new Conversation(a, Conversation.Config(Conversation.AddressB, Conversation.AddressA, "aes128-sha256-ecp256"));
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        c.RunUntilQuiet();
        Assert.Equal(600_000, c.Now);
        Assert.Single(c.Of(true, EngineEventKind.Phase1Down));
        Assert.Single(c.Of(false, EngineEventKind.Phase1Down)); // the Delete reached the peer
        Assert.Empty(c.Of(true, EngineEventKind.DeleteChildSa));
        Assert.Equal(0, c.A.Phase1SaCount + c.B.Phase1SaCount);
    }
}
