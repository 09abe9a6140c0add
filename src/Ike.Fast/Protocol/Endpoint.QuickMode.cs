using System.Buffers.Binary;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Quick Mode (RFC 2409 §5.5) both roles, with and without PFS: every exchange has its own message ID and CBC IV
/// chain seeded from the last Phase 1 block (Appendix B), so several run concurrently per Phase 1 SA.
/// </summary>
public sealed partial class Endpoint
{
    private const int QuickModeBufferSize = 4096;

    /* QM1 HDR*, HASH(1), SA, Ni [, KE] , IDci, IDcr --> */
    private void StartQuickMode(IkeSa sa, ChildConfig child, long now, ChildSaInfo? rekeying = null)
    {
        if (child.Proposals.Count == 0)
        {
            return;
        }

        ChildProposal first = child.Proposals[0];

        // The PFS key pair first: if the engine defers it, nothing (message ID, SPI) is taken until it is back.
        DhPrivateKey? pfsKey = null;
        byte[] ke = [];
        if (first.PfsGroup is { } group)
        {
            DhStep keyPair = GenerateDh(sa, 0, group, default, DhResume.StartQuickMode, out pfsKey, out ke);
            if (keyPair == DhStep.Pending)
            {
                _dhLastParked!.Child = child;
                _dhLastParked.Rekeying = rekeying;
                return;
            }

            if (keyPair == DhStep.Failed)
            {
                Diagnose(DiagnosticCode.InvalidKeyInformation, sa, now, $"cannot generate PFS group {group}");
                return;
            }
        }

        uint mid = NewMessageId(sa);
        QuickModeExchange qm = RentExchange(mid, true, child);
        qm.PfsKey = pfsKey;
        qm.Iv.InitializePhase2(sa.Hash, sa.LastPhase1Block, mid);
        qm.Ni = NewNonce();
        qm.InboundSpi = _spis.Allocate(first.Protocol, sa.Local.Address, sa.Remote.Address);
        // A rekey proposes the selectors the pair has (narrowed, or a road warrior's virtual address: Endpoint.Rekey.cs).
        qm.LocalTs = rekeying?.LocalTs ?? TrafficSelectorCodec.Resolve(child.LocalTs[0], LocalSelectorAddress(sa));
        qm.RemoteTs = rekeying?.RemoteTs ?? TrafficSelectorCodec.Resolve(child.RemoteTs[0], sa.Remote.Address);
        qm.LifetimeSeconds = (long)child.LifeTime.TotalSeconds;
        qm.LifetimeKilobytes = child.LifeKilobytes;
        sa.AddExchange(mid, qm, _exchangeTables);
        NoteRekeyPredecessor(sa, qm); // Endpoint.Rekey.cs
        Schedule(sa);
        qm.Flight.Local = sa.Local;
        qm.Flight.Remote = sa.Remote;
        Span<byte> buf = qm.Flight.Writable(QuickModeBufferSize);
        var w = new IsakmpWriter(buf);
        int hashSize = IkeHashAlgorithmInfo.GetOutputSize(sa.Hash);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.QuickMode, IsakmpFlags.Encryption, mid));
        w.WriteHash(stackalloc byte[hashSize]); // placeholder, filled once the rest is written
        SaCodec.WriteChildSa(ref w, child.Proposals, qm.InboundSpi, child.Mode, qm.LifetimeSeconds, qm.LifetimeKilobytes, EncapsulationOf(sa));
        w.WriteNonce(qm.Ni);
        if (ke.Length > 0)
        {
            w.WriteKeyExchange(ke);
        }

        WriteClientIds(ref w, qm);
        WriteNatOriginalAddresses(ref w, sa, initiator: true, child.Mode);
        w.TryFinish(out int length);
        int rest = IsakmpHeader.Size + GenericPayloadHeader.Size + hashSize;
        sa.Keys.ComputeQuickModeHash1(mid, buf[rest..length], buf.Slice(IsakmpHeader.Size + GenericPayloadHeader.Size, hashSize));
        qm.Flight.Length = PadAndEncrypt(buf, length, CipherOf(sa), qm.Iv.Current);
        qm.Flight.Arm(now, Options.RetransmitInitialMs, awaitingReply: true);
        qm.State = QuickModeState.InitiatorSentSa;
        SendFlight(qm.Flight);
    }

    private void HandleQuickMode(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (RouteToParkedDh(sa, h.MessageId, message, now))
        {
            return;
        }

        if (sa.Exchanges.TryGetValue(h.MessageId, out QuickModeExchange? qm))
        {
            if (RepeatOrDrop(sa, qm.Flight, message, now, requester: qm.IsInitiator, dropIfNew: false))
            {
                return;
            }

            if (qm.IsInitiator && qm.State == QuickModeState.InitiatorSentSa)
            {
                OnQuickMode2(now, sa, qm, h, message);
            }
            else if (!qm.IsInitiator && qm.State == QuickModeState.ResponderSentSa)
            {
                OnQuickMode3(now, sa, qm, h, message);
            }
            else
            {
                Drop(DiagnosticCode.Duplicate, sa, now, $"Quick Mode {h.MessageId:x8}: message after completion");
            }

            return;
        }

        if (sa.CompletedMessageIds.Contains(h.MessageId))
        {
            Drop(DiagnosticCode.Duplicate, sa, now, $"Quick Mode {h.MessageId:x8} replayed");
            return;
        }

        if (sa.Exchanges.Count >= Options.MaxQuickModesPerSa)
        {
            Drop(DiagnosticCode.UnexpectedMessage, sa, now, "too many concurrent Quick Modes");
            return;
        }

        OnQuickMode1(now, sa, h, message);
    }

    /* QM1 HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] --> */
    private void OnQuickMode1(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        uint mid = h.MessageId;
        CbcIvChain iv = default;
        iv.InitializePhase2(sa.Hash, sa.LastPhase1Block, mid);
        Span<byte> nextIv = stackalloc byte[16];
        if (!TryDecrypt(CipherOf(sa), iv.Current, h, message, nextIv, out MessagePayloads m, out _) || (m.Present & PayloadSet.Hash) == 0 ||
            m.Hash.Start != GenericPayloadHeader.Size)
        {
            Drop(DiagnosticCode.DecryptionFailed, sa, now, $"QM1 {mid:x8} does not decrypt");
            return;
        }

        ReadOnlySpan<byte> plain = _plain;
        // HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [ | KE ] [ | IDci | IDcr ]): everything after the HASH payload.
        if (!sa.Keys.VerifyQuickModeHash1(mid, plain[m.AfterFirst..m.ChainLength], plain.Slice(m.Hash.Start, m.Hash.Length)))
        {
            // Unauthenticated: answering would be an oracle; count and drop (no state created).
            Drop(DiagnosticCode.InvalidHash, sa, now, $"QM1 {mid:x8}: HASH(1) does not verify", NotifyMessageType.InvalidHashInformation);
            return;
        }

        FollowPeerEndpoint(sa, now);

        if (!ExchangeScript.Accepts(ExchangeStep.QuickMode1, m.Present) || ((m.Present & PayloadSet.Id) != 0) != ((m.Present & PayloadSet.Id2) != 0))
        {
            Drop(DiagnosticCode.Malformed, sa, now, $"QM1 {mid:x8}: payloads do not match the script");
            SendProtectedNotify(now, sa, ProtocolId.Isakmp, NotifyMessageType.PayloadMalformed, default);
            return;
        }

        // Selectors: IDci is the initiator's (our remote), IDcr ours; absent means the SA's addresses (RFC 2409 §5.5).
        TrafficSelector remoteTs = TrafficSelectorCodec.ForHost(TrafficSelectorCodec.Unmap(sa.Remote.Address));
        TrafficSelector localTs = TrafficSelectorCodec.ForHost(TrafficSelectorCodec.Unmap(sa.Local.Address));
        if ((m.Present & PayloadSet.Id) != 0 &&
            (!TrafficSelectorCodec.TryRead(plain.Slice(m.Id.Start, m.Id.Length), out remoteTs, TrafficSelectorCodec.Unmap(sa.Remote.Address)) ||
             !TrafficSelectorCodec.TryRead(plain.Slice(m.Id2.Start, m.Id2.Length), out localTs)))
        {
            Drop(DiagnosticCode.InvalidIdInformation, sa, now, $"QM1 {mid:x8}: unsupported client ID", NotifyMessageType.InvalidIdInformation);
            SendProtectedNotify(now, sa, ProtocolId.Isakmp, NotifyMessageType.InvalidIdInformation, default);
            return;
        }

        // The most specific child whose selectors contain the proposed ones (like charon's best-match selection).
        ChildConfig? child = null;
        int bestSpecificity = -1;
        for (int ci = 0; ci < sa.Peer.Children.Count; ci++)
        {
            ChildConfig c = sa.Peer.Children[ci];
            TrafficSelector configRemote = TrafficSelectorCodec.Resolve(c.RemoteTs[0], RemoteSelectorAddress(sa));
            TrafficSelector configLocal = TrafficSelectorCodec.Resolve(c.LocalTs[0], sa.Local.Address);
            int specificity = configRemote.PrefixLength + configLocal.PrefixLength;
            if (specificity > bestSpecificity && TrafficSelectorCodec.Contains(configRemote, remoteTs) && TrafficSelectorCodec.Contains(configLocal, localTs))
            {
                child = c;
                bestSpecificity = specificity;
            }
        }

        if (child is null)
        {
            Drop(DiagnosticCode.InvalidIdInformation, sa, now, $"QM1 {mid:x8}: no child for {remoteTs} === {localTs}", NotifyMessageType.InvalidIdInformation);
            SendProtectedNotify(now, sa, ProtocolId.Isakmp, NotifyMessageType.InvalidIdInformation, default);
            return;
        }

        ReadOnlySpan<byte> saBody = plain.Slice(m.Sa.Start, m.Sa.Length);
        Span<ChildTransformOffer> offers = stackalloc ChildTransformOffer[SaCodec.MaxOffers];
        if (!SaCodec.TryReadChildOffers(saBody, offers, out int count))
        {
            Drop(DiagnosticCode.Malformed, sa, now, $"QM1 {mid:x8}: SA does not parse");
            SendProtectedNotify(now, sa, ProtocolId.Isakmp, NotifyMessageType.BadProposalSyntax, default);
            return;
        }

        offers = offers[..count];
        int index = -1;
        ChildProposal? chosen = null;
        for (int pi = 0; pi < child.Proposals.Count; pi++)
        {
            ChildProposal p = child.Proposals[pi];
            for (int i = 0; i < offers.Length && index < 0; i++)
            {
                if (SaCodec.Matches(offers[i], p, child.Mode, EncapsulationOf(sa)))
                {
                    index = i;
                    chosen = p;
                }
            }

            if (index >= 0)
            {
                break;
            }
        }

        bool hasKe = (m.Present & PayloadSet.Ke) != 0;
        if (chosen is null || (chosen.PfsGroup is not null) != hasKe)
        {
            Drop(DiagnosticCode.NoProposalChosen, sa, now, $"QM1 {mid:x8}: no acceptable ESP/AH transform", NotifyMessageType.NoProposalChosen);
            SendProtectedNotify(now, sa, ProtocolId.Isakmp, NotifyMessageType.NoProposalChosen, default);
            return;
        }

        if (!TryTakeNonce(plain, in m, out byte[] ni))
        {
            Drop(DiagnosticCode.Malformed, sa, now, $"QM1 {mid:x8}: bad nonce");
            return;
        }

        QuickModeExchange qm = RentExchange(mid, false, child);
        qm.Ni = ni;
        qm.Nr = NewNonce();
        qm.Chosen = chosen;
        qm.OutboundSpi = offers[index].Spi;
        qm.LocalTs = localTs;
        qm.RemoteTs = remoteTs;
        qm.Commit = (h.Flags & IsakmpFlags.Commit) != 0;
        qm.Iv = iv;
        nextIv[..CipherOf(sa).BlockSize].CopyTo(qm.Iv.Current);
        byte[] ke = [];
        if (chosen.PfsGroup is { } group)
        {
            DhStep step = GenerateDh(sa, mid, group, message, DhResume.QuickMode1, out qm.PfsKey, out ke);
            byte[] peerKe = plain.Slice(m.Ke.Start, m.Ke.Length).ToArray();
            int sharedLength = 0;
            if (step == DhStep.Ready)
            {
                step = ComputeShared(sa, mid, qm.PfsKey!, peerKe, message, DhResume.QuickMode1, out _, out sharedLength);
            }

            if (step == DhStep.Pending)
            {
                return; // parked: QM1 is handled again when the PFS values are back (nothing was allocated yet)
            }

            if (step == DhStep.Failed)
            {
                qm.Dispose();
                Drop(DiagnosticCode.InvalidKeyInformation, sa, now, $"QM1 {mid:x8}: PFS KE rejected", NotifyMessageType.InvalidKeyInformation);
                SendProtectedNotify(now, sa, ProtocolId.Isakmp, NotifyMessageType.InvalidKeyInformation, default);
                return;
            }

            qm.PfsShared = _bytes.Copy(_shared.AsSpan(0, sharedLength));
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(_shared.AsSpan(0, sharedLength));
        }

        // Lifetimes: take the shorter; tell the initiator with RESPONDER-LIFETIME when ours is (RFC 2407 §4.6.3.1).
        long ourSeconds = (long)child.LifeTime.TotalSeconds;
        long offeredSeconds = offers[index].LifeSeconds == 0 ? 28800 : offers[index].LifeSeconds; // RFC 2407 §4.5 default 8 h
        qm.LifetimeSeconds = Math.Min(ourSeconds, offeredSeconds);
        long offeredKb = offers[index].LifeKilobytes;
        qm.LifetimeKilobytes = child.LifeKilobytes > 0 && (offeredKb == 0 || child.LifeKilobytes < offeredKb) ? child.LifeKilobytes : offeredKb;
        bool responderLifetime = qm.LifetimeSeconds < offeredSeconds || qm.LifetimeKilobytes != offeredKb;

        qm.InboundSpi = _spis.Allocate(chosen.Protocol, sa.Local.Address, sa.Remote.Address);
        sa.AddExchange(mid, qm, _exchangeTables);
        NoteRekeyPredecessor(sa, qm); // Endpoint.Rekey.cs
        Schedule(sa);
        qm.Flight.Local = sa.Local;
        qm.Flight.Remote = sa.Remote;
        qm.Flight.RememberIncoming(message);

        /* QM2 <-- HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(RESPONDER-LIFETIME)] */
        Span<byte> buf = qm.Flight.Writable(QuickModeBufferSize);
        var w = new IsakmpWriter(buf);
        int hashSize = IkeHashAlgorithmInfo.GetOutputSize(sa.Hash);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.QuickMode, IsakmpFlags.Encryption, mid));
        w.WriteHash(stackalloc byte[hashSize]); // placeholder, filled once the rest is written
        SaCodec.WriteChildSaReply(ref w, saBody, in offers[index], qm.InboundSpi);
        w.WriteNonce(qm.Nr);
        if (ke.Length > 0)
        {
            w.WriteKeyExchange(ke);
        }

        if ((m.Present & PayloadSet.Id) != 0)
        {
            w.WritePayload(PayloadType.Identification, plain.Slice(m.Id.Start, m.Id.Length));
            w.WritePayload(PayloadType.Identification, plain.Slice(m.Id2.Start, m.Id2.Length));
        }

        WriteNatOriginalAddresses(ref w, sa, initiator: false, child.Mode);
        NoteNatOriginalAddresses(sa, mid, h, plain, in m);
        if (responderLifetime)
        {
            WriteResponderLifetime(ref w, chosen.Protocol, qm.InboundSpi, qm.LifetimeSeconds, qm.LifetimeKilobytes);
        }

        w.TryFinish(out int length);
        int rest = IsakmpHeader.Size + GenericPayloadHeader.Size + hashSize;
        sa.Keys.ComputeQuickModeHash2(mid, qm.Ni, buf[rest..length], buf.Slice(IsakmpHeader.Size + GenericPayloadHeader.Size, hashSize));
        qm.Flight.Length = PadAndEncrypt(buf, length, CipherOf(sa), qm.Iv.Current);
        qm.Flight.Arm(now, Options.RetransmitInitialMs, awaitingReply: true);
        qm.State = QuickModeState.ResponderSentSa;
        SendFlight(qm.Flight);
    }

    /* <-- QM2 HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] */
    private void OnQuickMode2(long now, IkeSa sa, QuickModeExchange qm, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        Span<byte> nextIv = stackalloc byte[16];
        if (!TryDecrypt(CipherOf(sa), qm.Iv.Current, h, message, nextIv, out MessagePayloads m, out _) || (m.Present & PayloadSet.Hash) == 0 ||
            m.Hash.Start != GenericPayloadHeader.Size)
        {
            Drop(DiagnosticCode.DecryptionFailed, sa, now, $"QM2 {qm.MessageId:x8} does not decrypt");
            return;
        }

        ReadOnlySpan<byte> plain = _plain;
        if (!sa.Keys.VerifyQuickModeHash2(qm.MessageId, qm.Ni, plain[m.AfterFirst..m.ChainLength], plain.Slice(m.Hash.Start, m.Hash.Length)))
        {
            Drop(DiagnosticCode.InvalidHash, sa, now, $"QM2 {qm.MessageId:x8}: HASH(2) does not verify", NotifyMessageType.InvalidHashInformation);
            return;
        }

        FollowPeerEndpoint(sa, now);

        Span<ChildTransformOffer> offers = stackalloc ChildTransformOffer[2];
        ChildProposal? chosen = null;
        if (ExchangeScript.Accepts(ExchangeStep.QuickMode2, m.Present) &&
            SaCodec.TryReadChildOffers(plain.Slice(m.Sa.Start, m.Sa.Length), offers, out int count) && count == 1)
        {
            for (int pi = 0; pi < qm.Child.Proposals.Count; pi++)
            {
                ChildProposal p = qm.Child.Proposals[pi];
                if (SaCodec.Matches(offers[0], p, qm.Child.Mode, EncapsulationOf(sa)))
                {
                    chosen = p;
                    break;
                }
            }
        }

        // RFC 2409 §5.5: the responder returns the client identities it was sent (or none when none were sent).
        if ((m.Present & PayloadSet.Id) != 0 &&
            (!plain.Slice(m.Id.Start, m.Id.Length).SequenceEqual(qm.SentIdci) || !plain.Slice(m.Id2.Start, m.Id2.Length).SequenceEqual(qm.SentIdcr)))
        {
            Drop(DiagnosticCode.InvalidIdInformation, sa, now, $"QM2 {qm.MessageId:x8}: client IDs differ from ours", NotifyMessageType.InvalidIdInformation);
            return;
        }

        if (chosen is null || (chosen.PfsGroup is not null) != ((m.Present & PayloadSet.Ke) != 0) || !TryTakeNonce(plain, in m, out qm.Nr))
        {
            Drop(DiagnosticCode.NoProposalChosen, sa, now, $"QM2 {qm.MessageId:x8}: reply SA is not one we offered");
            return;
        }

        if (chosen.PfsGroup is not null)
        {
            byte[] peerKe = plain.Slice(m.Ke.Start, m.Ke.Length).ToArray();
            int sharedLength = 0;
            DhStep step = qm.PfsKey is null || qm.PfsKey.Group.Id != chosen.PfsGroup
                ? DhStep.Failed
                : ComputeShared(sa, qm.MessageId, qm.PfsKey, peerKe, message, DhResume.QuickMode2, out _, out sharedLength);
            if (step == DhStep.Pending)
            {
                return; // parked: QM2 is handled again with g^xy
            }

            if (step == DhStep.Failed)
            {
                Drop(DiagnosticCode.InvalidKeyInformation, sa, now, $"QM2 {qm.MessageId:x8}: PFS KE rejected", NotifyMessageType.InvalidKeyInformation);
                return;
            }

            qm.PfsShared = _bytes.Copy(_shared.AsSpan(0, sharedLength));
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(_shared.AsSpan(0, sharedLength));
        }

        qm.Chosen = chosen;
        qm.OutboundSpi = offers[0].Spi;
        if (offers[0].LifeSeconds > 0)
        {
            qm.LifetimeSeconds = Math.Min(qm.LifetimeSeconds, offers[0].LifeSeconds);
        }

        ApplyResponderLifetime(now, sa, qm, plain, in m);
        NoteNatOriginalAddresses(sa, qm.MessageId, h, plain, in m);
        nextIv[..CipherOf(sa).BlockSize].CopyTo(qm.Iv.Current);
        qm.Flight.RememberIncoming(message);

        /* QM3 HDR*, HASH(3) --> */
        Span<byte> buf = qm.Flight.Writable(QuickModeBufferSize);
        var w = new IsakmpWriter(buf);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.QuickMode, IsakmpFlags.Encryption, qm.MessageId));
        Span<byte> hash3 = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int hashLength = sa.Keys.ComputeQuickModeHash3(qm.MessageId, qm.Ni, qm.Nr, hash3);
        w.WriteHash(hash3[..hashLength]);
        w.TryFinish(out int length);
        qm.Flight.Length = PadAndEncrypt(buf, length, CipherOf(sa), qm.Iv.Current);
        qm.Flight.Arm(now, Options.RetransmitInitialMs, awaitingReply: false);
        SendFlight(qm.Flight);
        CompleteQuickMode(now, sa, qm);
    }

    /* QM3 HDR*, HASH(3) --> */
    private void OnQuickMode3(long now, IkeSa sa, QuickModeExchange qm, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        Span<byte> nextIv = stackalloc byte[16];
        if (!TryDecrypt(CipherOf(sa), qm.Iv.Current, h, message, nextIv, out MessagePayloads m, out _) ||
            !ExchangeScript.Accepts(ExchangeStep.QuickMode3, m.Present))
        {
            Drop(DiagnosticCode.DecryptionFailed, sa, now, $"QM3 {qm.MessageId:x8} does not decrypt");
            return;
        }

        ReadOnlySpan<byte> plain = _plain;
        if (!sa.Keys.VerifyQuickModeHash3(qm.MessageId, qm.Ni, qm.Nr, plain.Slice(m.Hash.Start, m.Hash.Length)))
        {
            Drop(DiagnosticCode.InvalidHash, sa, now, $"QM3 {qm.MessageId:x8}: HASH(3) does not verify", NotifyMessageType.InvalidHashInformation);
            return;
        }

        FollowPeerEndpoint(sa, now);

        nextIv[..CipherOf(sa).BlockSize].CopyTo(qm.Iv.Current);
        qm.Flight.RememberIncoming(message);
        qm.Flight.Stop();
        qm.Flight.Length = 0; // nothing to repeat: a retransmitted QM3 is simply absorbed
        CompleteQuickMode(now, sa, qm);
        if (qm.Commit)
        {
            // RFC 2408 §3.1 / RFC 2409 §5.5: with the commit bit the initiator waits for CONNECTED before using the SA.
            Span<byte> spi = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(spi, qm.InboundSpi);
            SendProtectedNotify(now, sa, qm.Chosen!.Protocol == IpsecProtocol.Esp ? ProtocolId.IpsecEsp : ProtocolId.IpsecAh,
                NotifyMessageType.Connected, spi);
        }
    }

    /// <summary>KEYMAT for both directions (RFC 2409 §5.5) and the InstallChildSa event.</summary>
    private void CompleteQuickMode(long now, IkeSa sa, QuickModeExchange qm)
    {
        qm.State = QuickModeState.Done;
        qm.DoneAt = now;
        qm.Flight.Trim(); // only kept for the reply cache from now on
        Schedule(sa);
        ChildProposal p = qm.Chosen!;
        byte protocol = p.Protocol == IpsecProtocol.Esp ? Phase2KeySchedule.ProtocolEsp : Phase2KeySchedule.ProtocolAh;
        byte[] niB = qm.Ni;
        byte[] nrB = qm.Nr;
        int size = p.KeymatSize;
        Span<byte> inbound = stackalloc byte[size];
        Span<byte> outbound = stackalloc byte[size];
        Span<byte> spi = stackalloc byte[4];
        if (Options.DeriveChildKeys)
        {
            BinaryPrimitives.WriteUInt32BigEndian(spi, qm.InboundSpi);
            sa.Keys.ComputeKeymat(qm.PfsShared ?? [], protocol, spi, niB, nrB, inbound);
            BinaryPrimitives.WriteUInt32BigEndian(spi, qm.OutboundSpi);
            sa.Keys.ComputeKeymat(qm.PfsShared ?? [], protocol, spi, niB, nrB, outbound);
        }
        else
        {
            inbound.Clear();
            outbound.Clear();
        }
        int e = p.EncryptionKeySize;
        (System.Net.IPAddress? natOai, System.Net.IPAddress? natOar) = TakeNatOriginalAddresses(sa, qm.MessageId);
        ChildSaInfo info = RentChildSa(e, size - e);
        info.Connection = sa.Peer.Name;
        info.Child = qm.Child.Name;
        info.MessageId = qm.MessageId;
        info.Protocol = p.Protocol;
        info.Mode = qm.Child.Mode;
        info.LocalAddress = TrafficSelectorCodec.Unmap(sa.Local.Address);
        info.RemoteAddress = TrafficSelectorCodec.Unmap(sa.Remote.Address);
        info.InboundSpi = qm.InboundSpi;
        info.OutboundSpi = qm.OutboundSpi;
        info.Encryption = p.EspTransform;
        info.EncryptionKeyBits = p.EspTransform == EspTransformId.TripleDes ? 192 : p.KeyLengthBits;
        info.Integrity = p.Integrity;
        info.PfsGroup = p.PfsGroup;
        inbound[..e].CopyTo(info.InboundEncryptionKey);
        inbound[e..].CopyTo(info.InboundIntegrityKey);
        outbound[..e].CopyTo(info.OutboundEncryptionKey);
        outbound[e..].CopyTo(info.OutboundIntegrityKey);
        info.LocalTs = qm.LocalTs;
        info.RemoteTs = qm.RemoteTs;
        info.LifetimeSeconds = qm.LifetimeSeconds;
        info.LifetimeKilobytes = qm.LifetimeKilobytes;
        info.UdpEncapsulated = sa.UdpEncapsulated;
        info.EncapsulationSourcePort = sa.UdpEncapsulated ? sa.Local.Port : 0;
        info.EncapsulationDestinationPort = sa.UdpEncapsulated ? sa.Remote.Port : 0;
        info.Live = true;
        info.NatOriginalInitiator = natOai;
        info.NatOriginalResponder = natOar;
        info.QuickModeInitiator = qm.IsInitiator;
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(inbound);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(outbound);
        qm.PfsKey?.Dispose();
        qm.PfsKey = null;
        if (qm.PfsShared is not null)
        {
            _bytes.Return(qm.PfsShared); // zeroed
            qm.PfsShared = null;
        }

        sa.Children.Add(info);
        Counters.ChildSasEstablished++;
        Emit(new EngineEvent
        {
            Kind = EngineEventKind.InstallChildSa,
            Time = now,
            Connection = sa.Peer.Name,
            InitiatorCookie = sa.InitiatorCookie,
            ResponderCookie = sa.ResponderCookie,
            Peer = sa.Remote,
            IsInitiator = qm.IsInitiator,
            ChildSa = info,
        });
        OnChildInstalled(now, sa, qm, info); // rekey deadlines and the collision rule (Endpoint.Rekey.cs)
    }

    private void WriteClientIds(ref IsakmpWriter w, QuickModeExchange qm)
    {
        Span<byte> body = stackalloc byte[4 + 32];
        int n = TrafficSelectorCodec.WriteIdBody(qm.LocalTs, body);
        qm.SentIdci = _bytes.Copy(body[..n]);
        w.WritePayload(PayloadType.Identification, qm.SentIdci);
        n = TrafficSelectorCodec.WriteIdBody(qm.RemoteTs, body);
        qm.SentIdcr = _bytes.Copy(body[..n]);
        w.WritePayload(PayloadType.Identification, qm.SentIdcr);
    }

    /// <summary>RESPONDER-LIFETIME (RFC 2407 §4.6.3.1): SPI of the SA and the lifetime attributes as notification data.</summary>
    private static void WriteResponderLifetime(ref IsakmpWriter w, IpsecProtocol protocol, uint spi, long seconds, long kilobytes)
    {
        Span<byte> spiBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        Span<byte> data = stackalloc byte[32];
        int n = 0;
        n += WriteLifeAttributes(data[n..], LifeType.Seconds, seconds);
        if (kilobytes > 0)
        {
            n += WriteLifeAttributes(data[n..], LifeType.Kilobytes, kilobytes);
        }

        w.WriteNotification((uint)DomainOfInterpretation.IpsecDoi, protocol == IpsecProtocol.Esp ? ProtocolId.IpsecEsp : ProtocolId.IpsecAh,
            NotifyMessageType.ResponderLifetime, spiBytes, data[..n]);
    }

    private static int WriteLifeAttributes(Span<byte> d, LifeType type, long value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)(DataAttribute.FormatBit | (ushort)IpsecAttributeType.SaLifeType));
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)type);
        if (value <= ushort.MaxValue)
        {
            BinaryPrimitives.WriteUInt16BigEndian(d[4..], (ushort)(DataAttribute.FormatBit | (ushort)IpsecAttributeType.SaLifeDuration));
            BinaryPrimitives.WriteUInt16BigEndian(d[6..], (ushort)value);
            return 8;
        }

        BinaryPrimitives.WriteUInt16BigEndian(d[4..], (ushort)IpsecAttributeType.SaLifeDuration);
        BinaryPrimitives.WriteUInt16BigEndian(d[6..], 4);
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], (uint)value);
        return 12;
    }

    /// <summary>The initiator honours RESPONDER-LIFETIME: the responder's shorter lifetime wins.</summary>
    private void ApplyResponderLifetime(long now, IkeSa sa, QuickModeExchange qm, ReadOnlySpan<byte> plain, in MessagePayloads m)
    {
        for (int i = 0; i < m.NotifyCount; i++)
        {
            (int start, int length) = m.Notifies[i];
            if (!NotificationPayload.TryRead(plain.Slice(start, length), 0, out NotificationPayload n, out _) ||
                n.NotifyType != NotifyMessageType.ResponderLifetime)
            {
                continue;
            }

            var attrs = new DataAttributeReader(n.Data);
            LifeType type = 0;
            while (attrs.TryReadNext(out DataAttribute a))
            {
                if (!a.TryGetInteger(out ulong v))
                {
                    continue;
                }

                if (a.Type == (ushort)IpsecAttributeType.SaLifeType)
                {
                    type = (LifeType)v;
                }
                else if (a.Type == (ushort)IpsecAttributeType.SaLifeDuration)
                {
                    if (type == LifeType.Seconds && (qm.LifetimeSeconds == 0 || (long)v < qm.LifetimeSeconds))
                    {
                        qm.LifetimeSeconds = (long)v;
                    }
                    else if (type == LifeType.Kilobytes && (qm.LifetimeKilobytes == 0 || (long)v < qm.LifetimeKilobytes))
                    {
                        qm.LifetimeKilobytes = (long)v;
                    }
                }
            }

            Diagnose(DiagnosticCode.ResponderLifetime, sa, now,
                $"RESPONDER-LIFETIME: {qm.LifetimeSeconds}s / {qm.LifetimeKilobytes}KB", NotifyMessageType.ResponderLifetime);
        }
    }
}
