using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// An initiator that sends from a port other than 500 (<see cref="PeerConfig.LocalPort"/>; the load generator's shared
/// socket), and one that derives no KEYMAT (<see cref="EndpointOptions.DeriveChildKeys"/>; the load generator installs
/// no IPsec SA). Both only change what the initiator itself does: the responder's view and checks are the same.
/// </summary>
public class InitiatorLocalPortTests
{
    private const int InitiatorPort = 40123;

    [Fact]
    public void Initiator_OnItsConfiguredPort_SeesNoPeerMove()
    {
        var (a, b, eventsA, _) = Run(new EndpointOptions(), InitiatorPort, InitiatorPort);

        Assert.Single(eventsA, e => e.Kind == EngineEventKind.Phase1Up);
        Assert.Single(eventsA, e => e.Kind == EngineEventKind.InstallChildSa);
        // Before LocalPort the SA assumed 500, took the first authenticated reply (QM2) as a move of the peer and
        // emitted a formatted event for every handshake.
        Assert.DoesNotContain(eventsA, e => e.Kind == EngineEventKind.PeerEndpointChanged);
        IkeSaStatus sa = Assert.Single(a.GetSaStatus());
        Assert.Equal(InitiatorPort, sa.Local.Port);
        Assert.Single(b.GetSaStatus());
    }

    [Fact]
    public void Initiator_WithTheDefaultPort_SendingFromAnother_StillFollowsIt()
    {
        // The old behaviour stays for a configuration that does not say its port: the SA follows the real one.
        var (a, _, eventsA, _) = Run(new EndpointOptions(), 500, InitiatorPort);

        Assert.Single(eventsA, e => e.Kind == EngineEventKind.InstallChildSa);
        Assert.Single(eventsA, e => e.Kind == EngineEventKind.PeerEndpointChanged); // what LocalPort spares the generator
        Assert.Equal(InitiatorPort, Assert.Single(a.GetSaStatus()).Local.Port);
    }

    [Fact]
    public void Initiator_WithoutChildKeys_CompletesAndReportsZeroKeys_ResponderKeysAsUsual()
    {
        var (_, _, eventsA, eventsB) = Run(new EndpointOptions { DeriveChildKeys = false }, InitiatorPort, InitiatorPort);

        ChildSaInfo ours = Assert.Single(eventsA, e => e.Kind == EngineEventKind.InstallChildSa).ChildSa!;
        ChildSaInfo theirs = Assert.Single(eventsB, e => e.Kind == EngineEventKind.InstallChildSa).ChildSa!;
        Assert.All(new[] { ours.InboundEncryptionKey, ours.InboundIntegrityKey, ours.OutboundEncryptionKey, ours.OutboundIntegrityKey },
            k => Assert.True(k.Length > 0 && k.AsSpan().IndexOfAnyExcept((byte)0) < 0));
        Assert.True(theirs.InboundEncryptionKey.AsSpan().IndexOfAnyExcept((byte)0) >= 0);
        Assert.Equal(ours.InboundSpi, theirs.OutboundSpi);
        Assert.Equal(ours.OutboundSpi, theirs.InboundSpi);
    }

    /// <summary>Main Mode + one Quick Mode, A (initiator, sending from <paramref name="actualPort"/>) to B on 500.</summary>
    private static (Endpoint A, Endpoint B, List<EngineEvent> EventsA, List<EngineEvent> EventsB) Run(EndpointOptions optionsA,
        int configuredPort, int actualPort)
    {
        PeerConfig template = Conversation.Config(Conversation.AddressA, Conversation.AddressB, "aes128-sha256-ecp256");
        var configA = new PeerConfig
        {
            Name = template.Name,
            LocalAddress = template.LocalAddress,
            LocalPort = configuredPort,
            RemoteAddress = template.RemoteAddress,
            Mode = template.Mode,
            IkeProposals = template.IkeProposals,
            LocalAuth = template.LocalAuth,
            RemoteAuth = template.RemoteAuth,
            Children = template.Children,
        };
        PeerConfig configB = Conversation.Config(Conversation.AddressB, Conversation.AddressA, "aes128-sha256-ecp256");
        var a = new Endpoint([configA], Conversation.Secrets(), new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(1)),
            new DeterministicEngineRandom(11), new CountingSpiAllocator(0xa0000001), optionsA);
        var b = new Endpoint([configB], Conversation.Secrets(), new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(2)),
            new DeterministicEngineRandom(22), new CountingSpiAllocator(0xb0000001));
        var localA = new IPEndPoint(Conversation.AddressA, actualPort);
        var localB = new IPEndPoint(Conversation.AddressB, 500);
        List<EngineEvent> eventsA = [];
        List<EngineEvent> eventsB = [];
        byte[] buffer = new byte[65536];
        a.Initiate("conn", "child", 0);
        for (int round = 0; round < 20; round++)
        {
            bool any = false;
            while (a.PollTransmit(buffer, out Transmit t))
            {
                any = true;
                b.Handle(0, localB, localA, buffer.AsSpan(0, t.Length));
            }

            while (b.PollTransmit(buffer, out Transmit t))
            {
                any = true;
                Assert.Equal(actualPort, t.Remote.Port); // the responder answers where A really is
                a.Handle(0, localA, localB, buffer.AsSpan(0, t.Length));
            }

            while (a.PollEvent(out EngineEvent e))
            {
                eventsA.Add(e);
            }

            while (b.PollEvent(out EngineEvent e))
            {
                eventsB.Add(e);
            }

            if (!any)
            {
                break;
            }
        }

        return (a, b, eventsA, eventsB);
    }
}
