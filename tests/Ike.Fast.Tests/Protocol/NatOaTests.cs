using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>NAT-OA in Quick Mode (RFC 3947 §5.2): sent in UDP-encapsulated transport mode only, recorded by the peer.</summary>
public class NatOaTests
{
    [Fact]
    public void TransportModeBehindNat_BothSidesSendNatOaiAndNatOar()
    {
        var n = new NatNetwork(natA: true, natB: false, mode: IpsecMode.Transport);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo b = Assert.Single(n.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.True(a.UdpEncapsulated);

        // QM1 from the initiator: its own (private) address, then the responder's as it addressed it.
        Assert.Equal(NatNetwork.PrivateA, b.NatOriginalInitiator);
        Assert.Equal(NatNetwork.PublicB, b.NatOriginalResponder);
        // QM2 from the responder: the initiator's address as it arrived (the NAT's public side), then its own.
        Assert.Equal(NatNetwork.PublicA, a.NatOriginalInitiator);
        Assert.Equal(NatNetwork.PublicB, a.NatOriginalResponder);
    }

    [Fact]
    public void TunnelModeBehindNat_NoNatOa()
    {
        var n = new NatNetwork(natA: true, natB: false, mode: IpsecMode.Tunnel);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo b = Assert.Single(n.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.True(a.UdpEncapsulated);
        Assert.Null(a.NatOriginalInitiator);
        Assert.Null(b.NatOriginalInitiator);
        Assert.Null(b.NatOriginalResponder);
    }

    [Fact]
    public void TransportModeWithoutNat_NotEncapsulated_NoNatOa()
    {
        var n = new NatNetwork(natA: false, natB: false, mode: IpsecMode.Transport);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        ChildSaInfo b = Assert.Single(n.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.False(b.UdpEncapsulated);
        Assert.Null(b.NatOriginalInitiator);
    }

    [Fact]
    public void TransportModeBehindNat_DraftPeers_DraftPayloadType131Recorded()
    {
        var n = new NatNetwork(natA: true, natB: false, mode: IpsecMode.Transport);
        // Both sides see only the draft vendor IDs (the RFC 3947 one blanked in MM1/MM2; VIDs are not hashed).
        n.Filter = (_, bytes) =>
        {
            int at = bytes.AsSpan().IndexOf(VendorIds.NatTraversalRfc3947);
            if (at > 0)
            {
                bytes.AsSpan(at, 16).Fill(0x5a);
            }

            return bytes;
        };
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        ChildSaInfo b = Assert.Single(n.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.Equal(NatNetwork.PrivateA, b.NatOriginalInitiator);
        Assert.Equal(NatNetwork.PublicB, b.NatOriginalResponder);
    }
}
