using System.Buffers.Binary;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Dead Peer Detection (RFC 3706): idle-triggered R-U-THERE probes, ACK matching by sequence number, the dead-peer
/// action, and answers to the peer's probes. Notify SPI = CKY-I | CKY-R (16 bytes), data = 4-byte sequence (§5.1).
/// </summary>
public sealed partial class Endpoint
{
    private const int DpdSequenceLength = 4;
    private const int DpdSpiLength = 16;

    /// <summary>Every authenticated message from the peer proves it alive (RFC 3706 §5.3: probes only when idle).</summary>
    private static void NotePeerActivity(IkeSa sa, long now) => sa.LastPeerActivity = now;

    private static bool DpdEnabled(IkeSa sa) =>
        sa.IsEstablished && sa.Peer.DpdDelay > TimeSpan.Zero && (sa.PeerVendors & KnownVendor.Dpd) != 0;

    private long? NextDpdDeadline(IkeSa sa)
    {
        if (!DpdEnabled(sa))
        {
            return null;
        }

        long delay = (long)sa.Peer.DpdDelay.TotalMilliseconds;
        return sa.Dpd.Outstanding
            ? Math.Min(sa.Dpd.NextProbeAt, sa.Dpd.FirstProbeAt + (long)sa.Peer.DpdTimeout.TotalMilliseconds)
            : sa.LastPeerActivity + delay;
    }

    /// <summary>Returns false when the SA was removed (dead peer).</summary>
    private bool RunDpd(IkeSa sa, long now)
    {
        if (!DpdEnabled(sa))
        {
            return true;
        }

        long delay = (long)sa.Peer.DpdDelay.TotalMilliseconds;
        if (sa.Dpd.Outstanding)
        {
            if (now - sa.Dpd.FirstProbeAt >= (long)sa.Peer.DpdTimeout.TotalMilliseconds)
            {
                OnDeadPeer(sa, now);
                return false;
            }

            if (now >= sa.Dpd.NextProbeAt)
            {
                SendRUThere(sa, now, delay);
            }

            return true;
        }

        if (now - sa.LastPeerActivity >= delay)
        {
            sa.Dpd.Outstanding = true;
            sa.Dpd.FirstProbeAt = now;
            if (sa.Dpd.NextSequence == 0)
            {
                Span<byte> r = stackalloc byte[4];
                _random.Fill(r);
                sa.Dpd.NextSequence = Math.Max(1, BinaryPrimitives.ReadUInt32BigEndian(r) & 0x7fffffff);
            }

            sa.Dpd.FirstOutstanding = sa.Dpd.NextSequence;
            SendRUThere(sa, now, delay);
        }

        return true;
    }

    /// <summary>R-U-THERE with a fresh sequence number (RFC 3706 §5.5: a retransmission also increments it).</summary>
    private void SendRUThere(IkeSa sa, long now, long delay)
    {
        Span<byte> spi = stackalloc byte[DpdSpiLength];
        WriteCookies(sa, spi[..8], spi[8..]);
        Span<byte> seq = stackalloc byte[DpdSequenceLength];
        BinaryPrimitives.WriteUInt32BigEndian(seq, sa.Dpd.NextSequence);
        sa.Dpd.NextSequence = sa.Dpd.NextSequence == uint.MaxValue ? 1 : sa.Dpd.NextSequence + 1;
        sa.Dpd.NextProbeAt = now + delay;
        Schedule(sa);
        SendInformational(now, sa, NotifyMessageType.DpdRUThere, ProtocolId.Isakmp, spi, seq, default, 0);
    }

    private void OnDeadPeer(IkeSa sa, long now)
    {
        DpdAction action = sa.Peer.DpdAction;
        Diagnose(DiagnosticCode.DeadPeer, sa, now, $"DPD: no answer for {sa.Peer.DpdTimeout.TotalSeconds:0} s, action {action}");
        var children = new List<ChildConfig>();
        foreach (ChildSaInfo child in sa.Children)
        {
            ChildConfig? config = sa.Peer.Children.FirstOrDefault(c => c.Name == child.Child);
            if (config is not null && !children.Contains(config))
            {
                children.Add(config);
            }
        }

        PeerConfig peer = sa.Peer;
        bool canRestart = sa.IsInitiator || peer.RemoteAddress is not null;
        RemoveSa(sa, now, DiagnosticCode.DeadPeer, true);
        if (action == DpdAction.Restart && canRestart)
        {
            if (children.Count == 0)
            {
                StartInitiator(peer, null, now);
            }

            foreach (ChildConfig child in children)
            {
                StartInitiator(peer, child, now);
            }
        }
    }

    /// <summary>R-U-THERE / R-U-THERE-ACK from the peer (already authenticated by HASH(1)).</summary>
    private void OnDpdNotify(long now, IkeSa sa, in NotificationPayload n)
    {
        if (n.Spi.Length != DpdSpiLength || n.Data.Length != DpdSequenceLength ||
            BinaryPrimitives.ReadUInt64BigEndian(n.Spi) != sa.InitiatorCookie || BinaryPrimitives.ReadUInt64BigEndian(n.Spi[8..]) != sa.ResponderCookie)
        {
            Diagnose(DiagnosticCode.DpdInvalid, sa, now, $"{n.NotifyType} with a bad SPI or sequence length", n.NotifyType);
            return;
        }

        uint seq = BinaryPrimitives.ReadUInt32BigEndian(n.Data);
        if (n.NotifyType == NotifyMessageType.DpdRUThereAck)
        {
            if (!sa.Dpd.Acknowledges(seq))
            {
                Diagnose(DiagnosticCode.DpdInvalid, sa, now, $"R-U-THERE-ACK {seq} matches no probe", n.NotifyType);
                return;
            }

            sa.Dpd.Outstanding = false;
            return;
        }

        // RFC 3706 §5.6: a sequence number not above the last one received is a replay (the M-ID check already
        // catches copies; this catches a peer stuck on an old number). Wrap-around is allowed.
        if (sa.Dpd.HasPeerSequence && unchecked((int)(seq - sa.Dpd.PeerSequence)) <= 0)
        {
            Diagnose(DiagnosticCode.DpdInvalid, sa, now, $"R-U-THERE {seq} not above {sa.Dpd.PeerSequence}", n.NotifyType);
            return;
        }

        sa.Dpd.PeerSequence = seq;
        sa.Dpd.HasPeerSequence = true;
        // Copies: n points into the scratch buffer SendInformational builds the answer in.
        Span<byte> spi = stackalloc byte[DpdSpiLength];
        Span<byte> data = stackalloc byte[DpdSequenceLength];
        n.Spi.CopyTo(spi);
        n.Data.CopyTo(data);
        SendInformational(now, sa, NotifyMessageType.DpdRUThereAck, ProtocolId.Isakmp, spi, data, default, 0);
    }
}
