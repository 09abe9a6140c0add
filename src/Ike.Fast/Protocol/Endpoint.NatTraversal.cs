using System.Net;
using Ike.Fast.Protocol.NatTraversal;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// NAT traversal (RFC 3947, RFC 3948 and the drafts): NAT-D in MM3/MM4, detection of which side is behind a NAT,
/// floating to UDP 4500 after MM4, NAT keepalives and following a peer whose NAT mapping changed.
/// </summary>
public sealed partial class Endpoint
{
    /// <summary>UDP port of IKE and ESP once floated (RFC 3947 §4).</summary>
    public const int NatTraversalPort = 4500;

    /// <summary>The NAT keepalive datagram: one 0xFF byte (RFC 3948 §2.3).</summary>
    private static readonly byte[] s_natKeepalive = [0xff];

    /// <summary>Where the datagram being handled arrived (set by <see cref="Handle"/>).</summary>
    private IPEndPoint? _rxLocal;
    private IPEndPoint? _rxRemote;

    private void WriteNatTraversalVendorIds(ref IsakmpWriter w)
    {
        if (!Options.AdvertiseNatTraversal)
        {
            return;
        }

        // charon's order: the RFC first, then the drafts a peer may know instead (RFC 3947 §3.1).
        w.WriteVendorId(VendorIds.NatTraversalRfc3947);
        w.WriteVendorId(VendorIds.NatTraversalDraft03);
        w.WriteVendorId(VendorIds.NatTraversalDraft02N);
        w.WriteVendorId(VendorIds.NatTraversalDraft02);
    }

    /// <summary>The dialect once the peer's vendor IDs are known (MM1 for the responder, MM2 for the initiator).</summary>
    private void ChooseNatTraversal(IkeSa sa)
    {
        sa.NatVersion = !Options.AdvertiseNatTraversal ? NatTraversalVersion.None
            : (sa.PeerVendors & KnownVendor.NatTraversalRfc3947) != 0 ? NatTraversalVersion.Rfc3947
            : (sa.PeerVendors & KnownVendor.NatTraversalDraft) != 0 ? NatTraversalVersion.Draft
            : NatTraversalVersion.None;
    }

    /// <summary>
    /// NAT-D payloads (RFC 3947 §3.2): first the hash of the peer's address as we send to it, then ours. With forced
    /// encapsulation our own hash is random (charon's trick), so the peer believes we are behind a NAT.
    /// </summary>
    private void WriteNatDiscovery(IkeSa sa, ref IsakmpWriter w)
    {
        if (sa.NatVersion == NatTraversalVersion.None)
        {
            return;
        }

        PayloadType type = NatDiscovery.PayloadTypeFor(sa.NatVersion);
        Span<byte> hash = stackalloc byte[NatDiscovery.MaxHashLength];
        int length = NatDiscovery.ComputeHash(sa.Hash, sa.InitiatorCookie, sa.ResponderCookie, sa.Remote, hash);
        w.WritePayload(type, hash[..length]);
        if (sa.Peer.ForceEncapsulation)
        {
            _random.Fill(hash[..length]);
        }
        else
        {
            NatDiscovery.ComputeHash(sa.Hash, sa.InitiatorCookie, sa.ResponderCookie, LocalForHash(sa), hash);
        }

        w.WritePayload(type, hash[..length]);
    }

    /// <summary>
    /// Compares the peer's NAT-D hashes with the addresses this datagram really used (RFC 3947 §3.2). A peer that
    /// announced NAT-T but sent no NAT-D does not do it: NAT-T is off for this SA.
    /// </summary>
    private void CheckNatDiscovery(IkeSa sa, ReadOnlySpan<byte> message, in MessagePayloads m, long now,
        IPEndPoint? local = null, IPEndPoint? remote = null)
    {
        if (sa.NatVersion == NatTraversalVersion.None)
        {
            return;
        }

        if (m.NatDiscoveryCount < 2)
        {
            sa.NatVersion = NatTraversalVersion.None;
            return;
        }

        Span<byte> expected = stackalloc byte[NatDiscovery.MaxHashLength];
        int length = NatDiscovery.ComputeHash(sa.Hash, sa.InitiatorCookie, sa.ResponderCookie, local ?? _rxLocal ?? sa.Local, expected);
        (int start, int len) = m.NatDiscoveries[0];
        sa.NatLocalBehind = !message.Slice(start, len).SequenceEqual(expected[..length]);
        NatDiscovery.ComputeHash(sa.Hash, sa.InitiatorCookie, sa.ResponderCookie, remote ?? _rxRemote ?? sa.Remote, expected);
        bool remoteMatched = false;
        for (int i = 1; i < m.NatDiscoveryCount; i++)
        {
            (start, len) = m.NatDiscoveries[i];
            remoteMatched |= message.Slice(start, len).SequenceEqual(expected[..length]);
        }

        sa.NatRemoteBehind = !remoteMatched;
        if (sa.NatLocalBehind || sa.NatRemoteBehind)
        {
            Diagnose(DiagnosticCode.NatDetected, sa, now,
                $"NAT detected: local {(sa.NatLocalBehind ? "behind NAT" : "direct")}, remote {(sa.NatRemoteBehind ? "behind NAT" : "direct")}");
        }
    }

    /// <summary>Initiator after MM4: IKE continues on UDP 4500 from both sides (RFC 3947 §4).</summary>
    private static void FloatToNatTraversalPort(IkeSa sa)
    {
        if (!sa.UdpEncapsulated || sa.Remote.Port == NatTraversalPort)
        {
            return;
        }

        sa.Local = new IPEndPoint(sa.Local.Address, NatTraversalPort);
        sa.Remote = new IPEndPoint(sa.Remote.Address, NatTraversalPort);
        if (sa.HasFlight) // an idle SA has none (a late one is made with the SA's addresses)
        {
            sa.Flight.Local = sa.Local;
            sa.Flight.Remote = sa.Remote;
        }
    }

    /// <summary>
    /// An authenticated message arrived from another address or port than the SA's (the peer floated to 4500, or its
    /// NAT mapping changed): every later message of the SA goes there (RFC 3947 §4; strongSwan updates the same way).
    /// Only authenticated messages move the SA, so a spoofed datagram cannot hijack it.
    /// </summary>
    private void FollowPeerEndpoint(IkeSa sa, long now)
    {
        NotePeerActivity(sa, now);
        if (_rxRemote is null || _rxLocal is null || (_rxRemote.Equals(sa.Remote) && _rxLocal.Port == sa.Local.Port))
        {
            return;
        }

        IPEndPoint old = sa.Remote;
        if (!sa.IsInitiator && _responderByInitiator.Remove((sa.InitiatorCookie, old), out IkeSa? r))
        {
            _responderByInitiator[(sa.InitiatorCookie, _rxRemote)] = r;
        }

        sa.Remote = _rxRemote;
        sa.Local = IPAddress.Any.Equals(_rxLocal.Address) ? new IPEndPoint(sa.Local.Address, _rxLocal.Port) : _rxLocal;
        if (sa.HasFlight) // an idle SA has none (a late one is made with the SA's addresses)
        {
            sa.Flight.Local = sa.Local;
            sa.Flight.Remote = sa.Remote;
        }
        foreach (QuickModeExchange qm in sa.Exchanges.Values)
        {
            qm.Flight.Local = sa.Local;
            qm.Flight.Remote = sa.Remote;
        }

        if (sa.IsEstablished)
        {
            Emit(new EngineEvent
            {
                Kind = EngineEventKind.PeerEndpointChanged,
                Time = now,
                Connection = sa.Peer.Name,
                InitiatorCookie = sa.InitiatorCookie,
                ResponderCookie = sa.ResponderCookie,
                Peer = sa.Remote,
                IsInitiator = sa.IsInitiator,
                Message = $"peer moved from {old} to {sa.Remote}",
            });
        }
    }

    /// <summary>Keepalives start once the SA is established when we are the NATed side (RFC 3948 §2.3).</summary>
    private void StartNatKeepalives(IkeSa sa, long now)
    {
        sa.NextKeepaliveAt = sa.NatLocalBehind && sa.NatVersion != NatTraversalVersion.None && Options.NatKeepaliveMs > 0
            ? now + Options.NatKeepaliveMs
            : long.MaxValue;
        Schedule(sa);
    }

    private void RunNatKeepalive(IkeSa sa, long now)
    {
        if (sa.IsEstablished && now >= sa.NextKeepaliveAt)
        {
            Send(sa.Local, sa.Remote, s_natKeepalive);
            sa.NextKeepaliveAt = now + Options.NatKeepaliveMs;
        }
    }

    /// <summary>
    /// Our address as the datagram being answered reached us (MM2 for MM3, MM3 for MM4): the initiator's configured
    /// local endpoint may be the wildcard or not the port the host really sends from.
    /// </summary>
    private IPEndPoint LocalForHash(IkeSa sa) =>
        _rxLocal is { } rx && !IPAddress.Any.Equals(rx.Address) && !IPAddress.IPv6Any.Equals(rx.Address) ? rx : sa.Local;

    /// <summary>The dialect to encode UDP-encapsulated modes with, or None for plain tunnel/transport.</summary>
    private static NatTraversalVersion EncapsulationOf(IkeSa sa) => sa.UdpEncapsulated ? sa.NatVersion : NatTraversalVersion.None;

    /// <summary>NAT-OA payloads received in QM1/QM2, by exchange, until the IPsec SA is installed.</summary>
    private readonly Dictionary<(IkeSa Sa, uint MessageId), (IPAddress? Initiator, IPAddress? Responder)> _natOriginalAddresses = [];

    /*
     * RFC 3947 §5.2: in UDP-encapsulated transport mode both ends send both original addresses in Quick Mode,
     * NAT-OAi (the initiator's) then NAT-OAr (the responder's), each an ID_IPV4_ADDR/ID_IPV6_ADDR; in tunnel mode
     * neither is sent. Each side names the addresses it knows: the initiator its own address and the one it sent
     * to, the responder the address the initiator came from and its own (charon does the same).
     */
    private static void WriteNatOriginalAddresses(ref IsakmpWriter w, IkeSa sa, bool initiator, Policy.IpsecMode mode)
    {
        NatTraversalVersion version = EncapsulationOf(sa);
        if (version == NatTraversalVersion.None || mode != Policy.IpsecMode.Transport)
        {
            return;
        }

        PayloadType type = version == NatTraversalVersion.Rfc3947 ? PayloadType.NatOriginalAddress : PayloadType.NatOriginalAddressDraft;
        IPAddress oai = TrafficSelectorCodec.Unmap(initiator ? sa.Local.Address : sa.Remote.Address);
        IPAddress oar = TrafficSelectorCodec.Unmap(initiator ? sa.Remote.Address : sa.Local.Address);
        WriteNatOriginalAddress(ref w, oai, type);
        WriteNatOriginalAddress(ref w, oar, type);
    }

    private static void WriteNatOriginalAddress(ref IsakmpWriter w, IPAddress address, PayloadType type)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int n);
        w.WriteNatOriginalAddress(n == 4 ? IdentificationType.Ipv4Address : IdentificationType.Ipv6Address, bytes[..n], type);
    }

    /// <summary>
    /// Remembers the NAT-OA payloads of an authenticated QM1/QM2 (the first is NAT-OAi, the second NAT-OAr; more
    /// than two are accepted and ignored, as the drafts allowed one per side).
    /// </summary>
    private void NoteNatOriginalAddresses(IkeSa sa, uint messageId, in IsakmpHeader h, ReadOnlySpan<byte> plain, in MessagePayloads m)
    {
        if ((m.Present & PayloadSet.NatOriginalAddress) == 0)
        {
            return;
        }

        _natOriginalAddresses[(sa, messageId)] = ReadNatOriginalAddresses(plain[..m.ChainLength], h.NextPayload);
    }

    /// <summary>
    /// The NAT-OA payloads of a payload chain (RFC 3947 section 5.2, or the drafts' type 131): the first is NAT-OAi,
    /// the second NAT-OAr; further ones are accepted and ignored, as are malformed ones and addresses that are
    /// neither IPv4 nor IPv6.
    /// </summary>
    internal static (IPAddress? Initiator, IPAddress? Responder) ReadNatOriginalAddresses(ReadOnlySpan<byte> payloads, PayloadType first)
    {
        IPAddress? oai = null;
        IPAddress? oar = null;
        var chain = new PayloadChainReader(payloads, first);
        while (chain.TryReadNext(out RawPayload p))
        {
            if (p.Type is PayloadType.NatOriginalAddress or PayloadType.NatOriginalAddressDraft &&
                NatOriginalAddressPayload.TryRead(p.Body, p.BodyOffset, out NatOriginalAddressPayload oa, out _) && oa.Address.Length is 4 or 16)
            {
                var address = new IPAddress(oa.Address);
                if (oai is null)
                {
                    oai = address;
                }
                else
                {
                    oar ??= address;
                }
            }
        }

        return (oai, oar);
    }

    private (IPAddress? Initiator, IPAddress? Responder) TakeNatOriginalAddresses(IkeSa sa, uint messageId) =>
        _natOriginalAddresses.Count > 0 && _natOriginalAddresses.Remove((sa, messageId), out var oa) ? oa : default;
}
