using System.Net;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// The engine's side of the peer-level rules across shards (<see cref="Endpoint.ReleaseMovedPeer"/>,
/// <see cref="Endpoint.AdoptHandedOver"/>): what a host with several endpoints asks one endpoint when the same peer
/// identity established an ISAKMP SA elsewhere. The whole hand-over between shards is tested at daemon level
/// (Host/Sharding/MovedPeerAdoptionTests).
/// </summary>
public class HandoverTests
{
    private static readonly TimeSpan Life = TimeSpan.FromSeconds(1000);
    private static readonly IPAddress Elsewhere = IPAddress.Parse("198.51.100.7");

    [Fact]
    public void AReauthenticationElsewhereLeavesAnSaThatDidNotFollowThePeer()
    {
        Conversation c = RekeyHarness.Established(Life, Life * 9 / 10);
        EngineEvent up = Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        var released = new List<ChildSaHandover>();

        // Another device with the same identity at another address (B's SA is still at A's address), and a new SA at
        // the address B's SA was established at (that endpoint's own rule, the same key): nothing moves.
        Assert.Equal(0, c.B.ReleaseMovedPeer("conn", up.RemoteIdentity!, Elsewhere, 1, 2, initialContact: false, successorIsOurs: false, c.Now, released));
        Assert.Equal(0, c.B.ReleaseMovedPeer("conn", up.RemoteIdentity!, Conversation.AddressA, 1, 2, initialContact: false, successorIsOurs: false,
            c.Now, released));
        Assert.Empty(released);
        Assert.Single(Assert.Single(c.B.GetSaStatus()).Children);

        // Another connection, or the new SA itself: nothing either, even with INITIAL-CONTACT.
        Assert.Equal(0, c.B.ReleaseMovedPeer("other", up.RemoteIdentity!, Elsewhere, 1, 2, initialContact: true, successorIsOurs: false, c.Now, released));
        Assert.Equal(0, c.B.ReleaseMovedPeer("conn", up.RemoteIdentity!, Elsewhere, up.InitiatorCookie, up.ResponderCookie, initialContact: true,
            successorIsOurs: false, c.Now, released));
        Assert.Single(c.B.GetSaStatus());
    }

    [Fact]
    public void InitialContactElsewhereDropsThePeersSasByIdentity()
    {
        Conversation c = RekeyHarness.Established(Life, Life * 9 / 10);
        EngineEvent up = Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        ChildSaInfo pair = Assert.Single(RekeyHarness.Live(c, false).Values);

        Assert.Equal(1, c.B.ReleaseMovedPeer("conn", up.RemoteIdentity!, Elsewhere, 1, 2, initialContact: true, successorIsOurs: false, c.Now, []));
        c.Drain();
        Assert.Empty(c.B.GetSaStatus());
        Assert.Equal(pair.InboundSpi, Assert.Single(c.Of(false, EngineEventKind.DeleteChildSa)).ChildSa!.InboundSpi);
        EngineEvent down = Assert.Single(c.Of(false, EngineEventKind.Phase1Down));
        Assert.Equal(DiagnosticCode.InitialContact, down.Diagnostic);
        // The established SA's identity rides on its Phase1Down (a host indexing its peers by identity forgets it).
        Assert.Equal(up.RemoteIdentity, down.RemoteIdentity);
    }

    [Fact]
    public void PairsForAnIsakmpSaThatIsGoneAreRefused()
    {
        Conversation c = RekeyHarness.Established(Life, Life * 9 / 10);
        var refused = new List<ChildSaInfo>();
        Assert.False(c.A.AdoptHandedOver(1, 2, [], c.Now, refused));
        Assert.Empty(refused);
    }
}
