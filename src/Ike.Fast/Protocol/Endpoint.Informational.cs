using System.Buffers.Binary;
using System.Net;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Informational exchanges (RFC 2409 §5.7): Notify and Delete protected by HASH(1) = prf(SKEYID_a, M-ID | N/D)
/// with their own M-ID and IV; unprotected notifications are logged and counted, never acted upon.
/// </summary>
public sealed partial class Endpoint
{
    private void HandleInformational(long now, IkeSa? sa, IPEndPoint remote, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (!h.IsEncrypted || sa is null || !sa.IsEstablished)
        {
            LogUnprotected(now, sa, remote, h, message);
            return;
        }

        if (h.MessageId == 0 || sa.CompletedMessageIds.Contains(h.MessageId) || sa.Exchanges.ContainsKey(h.MessageId))
        {
            Drop(DiagnosticCode.Duplicate, sa, now, $"Informational {h.MessageId:x8} replayed");
            return;
        }

        CbcIvChain iv = default;
        iv.InitializePhase2(sa.Hash, sa.LastPhase1Block, h.MessageId);
        Span<byte> nextIv = stackalloc byte[16];
        if (!TryDecrypt(CipherOf(sa), iv.Current, h, message, nextIv, out MessagePayloads m, out _) || m.Hash.Start != GenericPayloadHeader.Size ||
            !ExchangeScript.Accepts(ExchangeStep.Informational, m.Present))
        {
            Drop(DiagnosticCode.DecryptionFailed, sa, now, $"Informational {h.MessageId:x8} does not decrypt to HASH, N/D");
            return;
        }

        ReadOnlySpan<byte> plain = _plain;
        if (!sa.Keys.VerifyInformationalHash(h.MessageId, plain[m.AfterFirst..m.ChainLength], plain.Slice(m.Hash.Start, m.Hash.Length)))
        {
            Drop(DiagnosticCode.InvalidHash, sa, now, $"Informational {h.MessageId:x8}: HASH(1) does not verify", NotifyMessageType.InvalidHashInformation);
            return;
        }

        FollowPeerEndpoint(sa, now);

        sa.CompletedMessageIds.Add(h.MessageId);
        for (int i = 0; i < m.DeleteCount; i++)
        {
            (int start, int length) = m.Deletes[i];
            if (DeletePayload.TryRead(plain.Slice(start, length), 0, out DeletePayload d, out _))
            {
                if (!OnDelete(now, sa, in d))
                {
                    return; // the ISAKMP SA itself is gone
                }
            }
        }

        for (int i = 0; i < m.NotifyCount; i++)
        {
            (int start, int length) = m.Notifies[i];
            if (NotificationPayload.TryRead(plain.Slice(start, length), 0, out NotificationPayload n, out _))
            {
                OnProtectedNotify(now, sa, in n);
            }
        }
    }

    /// <summary>Returns false when the Phase 1 SA was deleted.</summary>
    private bool OnDelete(long now, IkeSa sa, in DeletePayload d)
    {
        if (d.ProtocolId == ProtocolId.Isakmp)
        {
            for (int i = 0; i < d.SpiCount; i++)
            {
                ReadOnlySpan<byte> spi = d.GetSpi(i);
                if (spi.Length == 16 && BinaryPrimitives.ReadUInt64BigEndian(spi) == sa.InitiatorCookie &&
                    BinaryPrimitives.ReadUInt64BigEndian(spi[8..]) == sa.ResponderCookie)
                {
                    RemoveSa(sa, now, DiagnosticCode.None, true);
                    return false;
                }
            }

            return true;
        }

        if (d.SpiSize != 4)
        {
            return true;
        }

        IpsecProtocol protocol = d.ProtocolId == ProtocolId.IpsecAh ? IpsecProtocol.Ah : IpsecProtocol.Esp;
        for (int i = 0; i < d.SpiCount; i++)
        {
            // The peer lists its inbound SPIs (RFC 2408 §3.15), i.e. our outbound ones.
            uint spi = BinaryPrimitives.ReadUInt32BigEndian(d.GetSpi(i));
            int index = IndexOfChild(sa, spi, outbound: true, protocol);
            IkeSa owner = sa;
            if (index >= 0 || TryFindAdoptedChild(sa, spi, protocol, out owner, out index))
            {
                ChildSaInfo child = owner.Children[index];
                owner.Children.RemoveAt(index);
                child.Live = false;
                EmitChildDelete(owner, child, now);
            }
        }

        return true;
    }

    private void OnProtectedNotify(long now, IkeSa sa, in NotificationPayload n)
    {
        switch (n.NotifyType)
        {
            case NotifyMessageType.InitialContact:
                DropOlderSas(now, sa);
                break;
            case NotifyMessageType.DpdRUThere or NotifyMessageType.DpdRUThereAck:
                // RFC 3706 §5: answer with R-U-THERE-ACK carrying the same sequence number; match ACKs to probes.
                OnDpdNotify(now, sa, in n);
                break;
            default:
                Diagnose(n.IsError ? DiagnosticCode.PeerNotify : DiagnosticCode.None, sa, now, $"protected notify {n.NotifyType}", n.NotifyType);
                break;
        }
    }

    private void LogUnprotected(long now, IkeSa? sa, IPEndPoint remote, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        NotifyMessageType type = 0;
        if (!h.IsEncrypted && TryParseClear(h, message, out MessagePayloads m) && m.NotifyCount > 0)
        {
            (int start, int length) = m.Notifies[0];
            if (NotificationPayload.TryRead(message.Slice(start, length), 0, out NotificationPayload n, out _))
            {
                type = n.NotifyType;
            }
        }

        Counters.Dropped++;
        Diagnose(DiagnosticCode.UnprotectedNotify, sa, now, $"unprotected Informational from {remote} ({type}): logged, not trusted", type);
    }

    /// <summary>A protected Notify with no SPI (errors about an exchange: RFC 2409 §5.7).</summary>
    private void SendProtectedNotify(long now, IkeSa sa, ProtocolId protocol, NotifyMessageType type, ReadOnlySpan<byte> spi) =>
        SendInformational(now, sa, type, protocol, spi, default, default, 0);

    /// <summary>
    /// HDR*, HASH(1), N or D: a fresh M-ID and IV from the last Phase 1 block (RFC 2409 Appendix B), HASH(1) over
    /// everything after the HASH payload.
    /// </summary>
    private void SendInformational(long now, IkeSa sa, NotifyMessageType notify, ProtocolId protocol, ReadOnlySpan<byte> spi,
        ReadOnlySpan<byte> data, ReadOnlySpan<byte> deleteSpis, int deleteSpiSize)
    {
        if (!sa.HasKeys || sa.LastPhase1Block.Length == 0)
        {
            return;
        }

        uint mid = NewMessageId(sa);
        sa.CompletedMessageIds.Add(mid);
        CbcIvChain iv = default;
        iv.InitializePhase2(sa.Hash, sa.LastPhase1Block, mid);
        Span<byte> buf = _plain.AsSpan(0, 1024);
        var w = new IsakmpWriter(buf);
        int hashSize = IkeHashAlgorithmInfo.GetOutputSize(sa.Hash);
        Span<byte> zero = stackalloc byte[hashSize];
        zero.Clear();
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.Informational, IsakmpFlags.Encryption, mid));
        w.WriteHash(zero);
        if (deleteSpiSize > 0)
        {
            w.WriteDelete((uint)DomainOfInterpretation.IpsecDoi, protocol, (byte)deleteSpiSize, (ushort)(deleteSpis.Length / deleteSpiSize), deleteSpis);
        }
        else
        {
            w.WriteNotification((uint)DomainOfInterpretation.IpsecDoi, protocol, notify, spi, data);
        }

        if (!w.TryFinish(out int length))
        {
            return;
        }

        int rest = IsakmpHeader.Size + GenericPayloadHeader.Size + hashSize;
        sa.Keys.ComputeInformationalHash(mid, buf[rest..length], buf.Slice(IsakmpHeader.Size + GenericPayloadHeader.Size, hashSize));
        length = PadAndEncrypt(buf, length, CipherOf(sa), iv.Current);
        iv.Clear();
        Send(sa.Local, sa.Remote, buf[..length]);
    }

    private bool DeleteIkeSa(ulong initiatorCookie, ulong responderCookie, long now, bool notifyPeer, bool keepChildren = false)
    {
        if (!_saByCookies.TryGetValue((initiatorCookie, responderCookie), out IkeSa? sa))
        {
            return false;
        }

        if (notifyPeer && sa.IsEstablished)
        {
            // charon's order: the IPsec SAs first, then the ISAKMP SA (RFC 2408 §3.15).
            if (!keepChildren)
            {
                foreach (ChildSaInfo child in sa.Children)
                {
                    SendChildDelete(now, sa, child);
                }
            }

            Span<byte> spi = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(spi, sa.InitiatorCookie);
            BinaryPrimitives.WriteUInt64BigEndian(spi[8..], sa.ResponderCookie);
            SendInformational(now, sa, 0, ProtocolId.Isakmp, default, default, spi, 16);
        }

        RemoveSa(sa, now, keepChildren ? DiagnosticCode.Timeout : DiagnosticCode.None, sa.IsEstablished, keepChildren);
        return true;
    }

    private bool DeleteChild(uint inboundSpi, long now)
    {
        foreach (IkeSa sa in _saByCookies.Values)
        {
            int index = IndexOfChild(sa, inboundSpi, outbound: false, null);
            if (index >= 0)
            {
                ChildSaInfo child = sa.Children[index];
                sa.Children.RemoveAt(index);
                child.Live = false;
                SendChildDelete(now, sa, child);
                EmitChildDelete(sa, child, now);
                return true;
            }
        }

        return false;
    }

    /// <summary>The child with our inbound (or the peer's, <paramref name="outbound"/>) SPI; a loop, no closure on the packet path.</summary>
    private static int IndexOfChild(IkeSa sa, uint spi, bool outbound, IpsecProtocol? protocol)
    {
        ref ChildSaSlots children = ref sa.Children;
        for (int i = 0; i < children.Count; i++)
        {
            ChildSaInfo c = children[i];
            if ((outbound ? c.OutboundSpi : c.InboundSpi) == spi && (protocol is null || c.Protocol == protocol))
            {
                return i;
            }
        }

        return -1;
    }

    private void SendChildDelete(long now, IkeSa sa, ChildSaInfo child)
    {
        Span<byte> spi = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spi, child.InboundSpi);
        SendInformational(now, sa, 0, child.Protocol == IpsecProtocol.Esp ? ProtocolId.IpsecEsp : ProtocolId.IpsecAh, default, default, spi, 4);
    }
}
