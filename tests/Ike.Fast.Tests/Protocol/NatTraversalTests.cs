using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

/// <summary>NAT traversal conversations (RFC 3947/3948) through a rewriting virtual network.</summary>
public sealed class NatTraversalTests
{
    [Fact]
    public void NoNat_StaysOnPort500_AndSasAreNotEncapsulated()
    {
        var n = new NatNetwork(natA: false, natB: false);
        Assert.True(n.A.Initiate("conn", "child", n.Now));
        n.Pump();
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.False(a.UdpEncapsulated);
        Assert.All(n.Wire, w => Assert.Equal(500, w.T.Remote.Port));
        Assert.DoesNotContain(n.EventsA, e => e.Diagnostic == DiagnosticCode.NatDetected);
        n.RunUntil(65_000);
        Assert.DoesNotContain(n.Wire, w => w.T.IsNatKeepalive);
    }

    [Fact]
    public void NatInFrontOfInitiator_DetectedByBoth_FloatsTo4500_AndEncapsulates()
    {
        var n = new NatNetwork(natA: true, natB: false);
        Assert.True(n.A.Initiate("conn", "child", n.Now));
        n.Pump();

        Assert.Single(n.Of(true, EngineEventKind.Phase1Up));
        Assert.Single(n.Of(false, EngineEventKind.Phase1Up));
        Assert.Contains(n.EventsA, e => e.Diagnostic == DiagnosticCode.NatDetected && e.Message!.Contains("local behind NAT", StringComparison.Ordinal));
        Assert.Contains(n.EventsB, e => e.Diagnostic == DiagnosticCode.NatDetected && e.Message!.Contains("remote behind NAT", StringComparison.Ordinal));

        // MM1..MM4 on 500, MM5 onwards on 4500 (RFC 3947 §4); B answers A's NAT mapping of each port.
        Assert.All(n.Wire.Take(4), w => Assert.Equal(500, w.FromA ? w.T.Remote.Port : w.T.Local.Port));
        Assert.All(n.Wire.Skip(4), w => Assert.Equal(4500, w.FromA ? w.T.Remote.Port : w.T.Local.Port));
        Assert.All(n.Wire.Skip(4), w => Assert.Equal(4500, w.T.Local.Port));
        Assert.All(n.Wire.Skip(4).Where(w => !w.FromA), w => Assert.Equal(n.MappedPortBase + 1, w.T.Remote.Port));

        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo b = Assert.Single(n.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.True(a.UdpEncapsulated);
        Assert.Equal((4500, 4500), (a.EncapsulationSourcePort, a.EncapsulationDestinationPort));
        Assert.True(b.UdpEncapsulated);
        // B sends ESP-in-UDP to A's NAT mapping of port 4500.
        Assert.Equal(4500, b.EncapsulationSourcePort);
        Assert.Equal(n.MappedPortBase + 1, b.EncapsulationDestinationPort);
        Assert.Equal(NatNetwork.PublicA, b.RemoteAddress);
    }

    [Fact]
    public void NatInFrontOfResponder_Detected_AndRfcEncapsulationModeProposed()
    {
        var n = new NatNetwork(natA: false, natB: true);
        Assert.True(n.A.Initiate("conn", "child", n.Now));
        n.Pump();
        Assert.Contains(n.EventsA, e => e.Diagnostic == DiagnosticCode.NatDetected && e.Message!.Contains("remote behind NAT", StringComparison.Ordinal));
        Assert.Contains(n.EventsB, e => e.Diagnostic == DiagnosticCode.NatDetected && e.Message!.Contains("local behind NAT", StringComparison.Ordinal));
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.True(a.UdpEncapsulated);
        Assert.All(n.Wire.Skip(4), w => Assert.Equal(4500, w.T.Remote.Port));
    }

    [Fact]
    public void NatDiscoveryPayloads_InMm3AndMm4_RfcType()
    {
        var n = new NatNetwork(natA: true, natB: false);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        foreach (int index in new[] { 2, 3 })
        {
            byte[] m = n.Wire[index].Bytes;
            Assert.True(IsakmpHeader.TryReadUnchecked(m, out IsakmpHeader h));
            var chain = new PayloadChainReader(m.AsSpan(IsakmpHeader.Size), h.NextPayload, IsakmpHeader.Size);
            int natD = 0;
            while (chain.TryReadNext(out RawPayload p))
            {
                if (p.Type == PayloadType.NatDiscovery)
                {
                    Assert.Equal(32, p.Body.Length);
                    natD++;
                }
            }

            Assert.Equal(2, natD);
        }
    }

    [Fact]
    public void NatedSide_SendsKeepalivesEvery20s_OtherSideDoesNot()
    {
        var n = new NatNetwork(natA: true, natB: false);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        int before = n.Wire.Count;
        n.RunUntil(65_000);
        var keepalives = n.Wire.Skip(before).Where(w => w.T.IsNatKeepalive).ToList();
        Assert.Equal(3, keepalives.Count);
        Assert.All(keepalives, k =>
        {
            Assert.True(k.FromA);
            Assert.Equal([0xff], k.Bytes);
            Assert.Equal(4500, k.T.Remote.Port);
            Assert.Equal(4500, k.T.Local.Port);
        });
    }

    [Fact]
    public void ForcedEncapsulation_WithoutNat_FloatsAndEncapsulates()
    {
        var n = new NatNetwork(natA: false, natB: false, forceEncapA: true);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo b = Assert.Single(n.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.True(a.UdpEncapsulated);
        Assert.True(b.UdpEncapsulated);
        Assert.All(n.Wire.Skip(4), w => Assert.Equal(4500, w.T.Remote.Port));
        // B believes A is behind a NAT (the fake hash), A sees no NAT itself: no keepalives from either side.
        Assert.Contains(n.EventsB, e => e.Diagnostic == DiagnosticCode.NatDetected && e.Message!.Contains("remote behind NAT", StringComparison.Ordinal));
    }

    [Fact]
    public void NatRebinding_AuthenticatedMessageMovesTheSa_AndKeepsIt()
    {
        var n = new NatNetwork(natA: true, natB: false);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        EngineEvent up = Assert.Single(n.Of(false, EngineEventKind.Phase1Up));
        int oldPort = up.Peer!.Port;

        n.Rebind();
        // A new Quick Mode from A (authenticated) arrives from the new mapping.
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();

        EngineEvent moved = Assert.Single(n.Of(false, EngineEventKind.PeerEndpointChanged));
        Assert.NotEqual(oldPort, moved.Peer!.Port);
        Assert.Equal(NatNetwork.PublicA, moved.Peer.Address);
        Assert.Empty(n.Of(false, EngineEventKind.Phase1Down));
        Assert.Equal(2, n.Of(false, EngineEventKind.InstallChildSa).Count);
        ChildSaInfo second = n.Of(false, EngineEventKind.InstallChildSa)[1].ChildSa!;
        Assert.Equal(moved.Peer.Port, second.EncapsulationDestinationPort);
        IkeSaStatus status = Assert.Single(n.B.GetSaStatus());
        Assert.Equal(moved.Peer, status.Remote);
    }

    [Fact]
    public void SpoofedDatagram_FromNewPort_DoesNotMoveTheSa()
    {
        var n = new NatNetwork(natA: true, natB: false);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        byte[] qm3 = n.Wire.Last(w => w.FromA).Bytes;
        IkeSaStatus before = Assert.Single(n.B.GetSaStatus());
        var forged = (byte[])qm3.Clone();
        forged[^1] ^= 0x55;
        n.B.Handle(n.Now, new System.Net.IPEndPoint(NatNetwork.PublicB, 4500), new System.Net.IPEndPoint(NatNetwork.PublicA, 40000), forged);
        n.Drain();
        Assert.Empty(n.Of(false, EngineEventKind.PeerEndpointChanged));
        Assert.Equal(before.Remote, Assert.Single(n.B.GetSaStatus()).Remote);
    }

    [Fact]
    public void PeerWithoutNatTraversal_NoNatD_NoFloat()
    {
        var n = new NatNetwork(natA: true, natB: false, options: new EndpointOptions { AdvertiseNatTraversal = false });
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        Assert.Single(n.Of(true, EngineEventKind.Phase1Up));
        Assert.All(n.Wire, w => Assert.Equal(500, w.FromA ? w.T.Remote.Port : w.T.Local.Port));
        Assert.False(Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!.UdpEncapsulated);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void AggressiveMode_NatDetected_Am3On4500(bool natA, bool natB)
    {
        var n = new NatNetwork(natA, natB, exchange: ExchangeMode.Aggressive);
        Assert.True(n.A.Initiate("conn", "child", n.Now));
        n.Pump();
        Assert.Single(n.Of(true, EngineEventKind.Phase1Up));
        Assert.Single(n.Of(false, EngineEventKind.Phase1Up));
        bool nat = natA || natB;
        Assert.Equal(nat, n.EventsA.Any(e => e.Diagnostic == DiagnosticCode.NatDetected));
        Assert.Equal(nat, n.EventsB.Any(e => e.Diagnostic == DiagnosticCode.NatDetected));
        Assert.Equal(natA, n.EventsB.Any(e => e.Diagnostic == DiagnosticCode.NatDetected && e.Message!.Contains("remote behind NAT", StringComparison.Ordinal)));
        Assert.Equal(natB, n.EventsB.Any(e => e.Diagnostic == DiagnosticCode.NatDetected && e.Message!.Contains("local behind NAT", StringComparison.Ordinal)));
        // AM1, AM2 on 500; AM3 and Quick Mode on 4500 when a NAT is in the way.
        Assert.All(n.Wire.Skip(2), w => Assert.Equal(nat ? 4500 : 500, w.FromA ? w.T.Remote.Port : w.T.Local.Port));
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo b = Assert.Single(n.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.Equal(nat, a.UdpEncapsulated);
        Assert.Equal(nat, b.UdpEncapsulated);
    }

    [Fact]
    public void TransportMode_UnderNat_UsesUdpTransport()
    {
        var n = new NatNetwork(natA: true, natB: false, mode: IpsecMode.Transport);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.Equal(IpsecMode.Transport, a.Mode);
        Assert.True(a.UdpEncapsulated);
    }

    [Fact]
    public void DraftOnlyPeers_UseDraftPayloadAndModeNumbers()
    {
        var n = new NatNetwork(natA: true, natB: false);
        // Both sides see only the draft vendor IDs: the RFC 3947 one is blanked in MM1 and MM2 (VIDs are not hashed).
        n.Filter = (fromA, bytes) =>
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
        byte[] mm3 = n.Wire[2].Bytes;
        Assert.True(IsakmpHeader.TryReadUnchecked(mm3, out IsakmpHeader h));
        var chain = new PayloadChainReader(mm3.AsSpan(IsakmpHeader.Size), h.NextPayload, IsakmpHeader.Size);
        int drafts = 0;
        while (chain.TryReadNext(out RawPayload p))
        {
            drafts += p.Type == PayloadType.NatDiscoveryDraft ? 1 : 0;
            Assert.NotEqual(PayloadType.NatDiscovery, p.Type);
        }

        Assert.Equal(2, drafts);
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.True(a.UdpEncapsulated);
        Assert.Single(n.Of(false, EngineEventKind.InstallChildSa));
    }
}
