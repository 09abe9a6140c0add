using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Phase 1: Main Mode (RFC 2409 §5, six messages) and Aggressive Mode (three messages) with pre-shared keys
/// (RFC 2409 §5.4), initiator and responder paths as explicit per-step states (<see cref="Phase1State"/>), each
/// received message checked against its <see cref="ExchangeScript"/> row first.
/// </summary>
public sealed partial class Endpoint
{
    private const int Phase1BufferSize = 8192;

    private bool StartInitiator(PeerConfig connection, ChildConfig? child, long now, bool forceNew = false)
    {
        IkeSa? existing = forceNew ? null : FindSaForConnection(connection); // forceNew: reauthentication (Endpoint.Reauth.cs)
        if (existing is not null)
        {
            if (child is not null)
            {
                if (existing.IsEstablished && existing.XauthDone && existing.ModeConfigDone)
                {
                    StartQuickMode(existing, child, now);
                }
                else
                {
                    AddPendingChild(existing, child);
                }
            }

            return true;
        }

        (IPEndPoint local, IPEndPoint remote) = InitiatorEndpoints(connection);
        IkeSa sa = RentSa(connection, true, connection.Mode, local, remote);
        sa.InitiatorCookie = NewCookie();
        sa.CreatedAt = now;
        sa.LifetimeSeconds = (long)connection.IkeLifetime.TotalSeconds;
        if (child is not null)
        {
            AddPendingChild(sa, child);
        }

        _halfOpenInitiator[sa.InitiatorCookie] = sa;
        Schedule(sa);
        IndexByConnection(sa);
        sa.Flight.Local = sa.Local;
        sa.Flight.Remote = sa.Remote;
        if (connection.Mode == ExchangeMode.Main)
        {
            SendMainMode1(sa, now);
        }
        else
        {
            SendAggressive1(sa, now);
        }

        return true;
    }

    /// <summary>
    /// The SA <see cref="Initiate(PeerConfig, ChildConfig?, long)"/> reuses for a connection, from the index
    /// <see cref="_saByConnection"/> (invariant: while any live SA of a connection exists, the index has an entry
    /// for it, possibly stale). Only a stale entry (its SA deleted while others of the connection remain) falls back
    /// to a scan, which re-indexes.
    /// </summary>
    private IkeSa? FindSaForConnection(PeerConfig connection)
    {
        if (!_saByConnection.TryGetValue(connection, out IkeSa? indexed) || !_saCountByConnection.ContainsKey(connection))
        {
            return null;
        }

        if (IsLive(indexed) && indexed.State != Phase1State.Dead && ReferenceEquals(indexed.Peer, connection))
        {
            return indexed;
        }

        _saByConnection.Remove(connection);
        foreach (IkeSa sa in AllSas())
        {
            if (ReferenceEquals(sa.Peer, connection) && sa.State != Phase1State.Dead)
            {
                _saByConnection[connection] = sa;
                return sa;
            }
        }

        return null;
    }

    /// <summary>Keeps <see cref="_saByConnection"/>'s invariant when an SA enters the tables.</summary>
    private void IndexByConnection(IkeSa sa)
    {
        if (!sa.CountedByConnection)
        {
            sa.CountedByConnection = true;
            _saCountByConnection[sa.Peer] = _saCountByConnection.GetValueOrDefault(sa.Peer) + 1;
        }

        if (!_saByConnection.TryGetValue(sa.Peer, out IkeSa? indexed) || !IsLive(indexed) || indexed.State == Phase1State.Dead ||
            !ReferenceEquals(indexed.Peer, sa.Peer))
        {
            _saByConnection[sa.Peer] = sa;
        }
    }

    /* MM1 HDR, SA --> */
    private void SendMainMode1(IkeSa sa, long now)
    {
        Span<byte> buf = sa.Flight.Writable(Phase1BufferSize);
        var w = new IsakmpWriter(buf);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, 0, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
        SaCodec.WriteIkeSa(ref w, sa.Peer.IkeProposals, null, SaCodec.WireAuth(sa.Peer), sa.LifetimeSeconds);
        WriteVendorIds(ref w);
        FinishCleartext(sa, ref w, now, awaitingReply: true);
        sa.SaiB = FirstPayloadBody(buf);
        sa.State = Phase1State.MainInitiatorSentSa;
    }

    /* AM1 HDR, SA, KE, Ni, IDii --> */
    private void SendAggressive1(IkeSa sa, long now)
    {
        DhGroupId group = sa.Peer.IkeProposals[0].Group;
        DhStep keyPair = GenerateDh(sa, 0, group, default, DhResume.StartAggressive, out sa.DhKey, out sa.Gxi);
        if (keyPair == DhStep.Pending)
        {
            return; // AM1 leaves when our public value is ready (DhResume.StartAggressive)
        }

        if (keyPair == DhStep.Failed)
        {
            RemoveSa(sa, now, DiagnosticCode.InvalidKeyInformation, false);
            return;
        }

        sa.Ni = NewNonce();
        sa.IdiiB = LocalIdBody(sa);
        Span<byte> buf = sa.Flight.Writable(Phase1BufferSize);
        var w = new IsakmpWriter(buf);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, 0, PayloadType.None, ExchangeType.Aggressive, IsakmpFlags.None, 0));
        SaCodec.WriteIkeSa(ref w, sa.Peer.IkeProposals, group, SaCodec.WireAuth(sa.Peer), sa.LifetimeSeconds);
        w.WriteKeyExchange(sa.Gxi);
        w.WriteNonce(sa.Ni);
        w.WritePayload(PayloadType.Identification, sa.IdiiB);
        WriteVendorIds(ref w);
        FinishCleartext(sa, ref w, now, awaitingReply: true);
        sa.SaiB = FirstPayloadBody(buf);
        sa.State = Phase1State.AggressiveInitiatorSentSa;
    }

    /// <summary>MM1 or AM1 from a new initiator (responder cookie zero).</summary>
    private void HandlePhase1Request(long now, IPEndPoint local, IPEndPoint remote, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (_responderByInitiator.TryGetValue((h.InitiatorCookie, remote), out IkeSa? existing))
        {
            if (RouteToParkedDh(existing, 0, message, now))
            {
                return;
            }

            RepeatOrDrop(existing, existing.Flight, message, now, requester: false);
            return;
        }

        ExchangeStep step = h.ExchangeType == ExchangeType.Aggressive ? ExchangeStep.Aggressive1 : ExchangeStep.MainMode1;
        if (h.IsEncrypted || h.MessageId != 0 || !TryParseClear(h, message, out MessagePayloads m) || !ExchangeScript.Accepts(step, m.Present))
        {
            Drop(DiagnosticCode.Malformed, null, now, $"{step} from {remote} does not parse or lacks payloads");
            return;
        }

        ReadOnlySpan<byte> saBody = message.Slice(m.Sa.Start, m.Sa.Length);
        Span<IkeTransformOffer> offers = stackalloc IkeTransformOffer[SaCodec.MaxOffers];
        if (!SaCodec.TryReadIkeOffers(saBody, offers, out int count))
        {
            Drop(DiagnosticCode.Malformed, null, now, "SA payload does not parse");
            SendUnprotectedNotify(local, remote, h.InitiatorCookie, 0, NotifyMessageType.BadProposalSyntax);
            return;
        }

        offers = offers[..count];
        PeerConfig? peer = null;
        IkeProposal? chosen = null;
        int index = -1;
        bool anyConnection = false;
        bool aggressiveRefused = false;
        foreach (PeerConfig c in _connections)
        {
            if (!AddressMatches(c, local, remote))
            {
                continue;
            }

            if (step == ExchangeStep.Aggressive1 && c.LocalAuth.Method == AuthMethod.Psk && !c.AggressiveModePskResponder)
            {
                aggressiveRefused = true;
                continue;
            }

            anyConnection = true;
            index = SaCodec.Select(offers, c.IkeProposals, SaCodec.WireAuth(c), null, out chosen);
            if (index >= 0)
            {
                peer = c;
                break;
            }
        }

        if (peer is null || chosen is null)
        {
            if (!anyConnection)
            {
                // Aggressive Mode PSK refused: silence, an answer would only confirm the responder exists.
                Drop(aggressiveRefused ? DiagnosticCode.AggressiveModeRefused : DiagnosticCode.NoMatchingConnection, null, now,
                    $"{step} from {remote}: no connection");
                return;
            }

            Drop(DiagnosticCode.NoProposalChosen, null, now, $"{step} from {remote}: no acceptable transform", NotifyMessageType.NoProposalChosen);
            SendUnprotectedNotify(local, remote, h.InitiatorCookie, 0, NotifyMessageType.NoProposalChosen);
            return;
        }

        if (!TryReserveHalfOpen(remote.Address))
        {
            Drop(DiagnosticCode.HalfOpenLimit, null, now, $"half-open limit reached ({remote.Address})");
            return;
        }

        long offered = offers[index].LifeSeconds;
        long ours = (long)peer.IkeLifetime.TotalSeconds;
        IkeSa sa = RentSa(peer, false, step == ExchangeStep.Aggressive1 ? ExchangeMode.Aggressive : ExchangeMode.Main, local, remote);
        sa.InitiatorCookie = h.InitiatorCookie;
        sa.ResponderCookie = NewCookie();
        sa.CreatedAt = now;
        sa.CountsAsHalfOpen = true;
        sa.Chosen = chosen;
        sa.LifetimeSeconds = offered > 0 ? Math.Min(offered, ours) : ours;
        sa.SaiB = _bytes.Copy(saBody);
        sa.PeerVendors = ClassifyVendors(message, in m);
        ChooseNatTraversal(sa);
        sa.Flight.Local = local;
        sa.Flight.Remote = remote;
        sa.Flight.RememberIncoming(message);
        _saByCookies.Set(sa);
        Schedule(sa);
        IndexByConnection(sa);
        TableGrowth.BeforeAdd(_responderByInitiator);
        _responderByInitiator[(sa.InitiatorCookie, remote)] = sa;
        if (step == ExchangeStep.MainMode1)
        {
            /* MM2 <-- HDR, SA */
            Span<byte> buf = sa.Flight.Writable(Phase1BufferSize);
            var w = new IsakmpWriter(buf);
            w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
            SaCodec.WriteIkeSaReply(ref w, saBody, in offers[index]);
            WriteVendorIds(ref w);
            FinishCleartext(sa, ref w, now, awaitingReply: true);
            sa.State = Phase1State.MainResponderSentSa;
        }
        else
        {
            RespondAggressive(now, sa, message, in m, saBody, in offers[index]);
        }
    }

    private void HandlePhase1(long now, IkeSa sa, IPEndPoint remote, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (RouteToParkedDh(sa, 0, message, now) || RepeatOrDrop(sa, sa.Flight, message, now, requester: sa.IsInitiator, dropIfNew: false))
        {
            return;
        }

        if (h.MessageId != 0 || (h.ExchangeType == ExchangeType.Aggressive) != (sa.Mode == ExchangeMode.Aggressive))
        {
            Drop(DiagnosticCode.UnexpectedMessage, sa, now, "Phase 1 message of the wrong exchange");
            return;
        }

        DispatchPhase1(now, sa, h, message);
    }

    /// <summary>The Phase 1 handler for the SA's state (also the resume of a message parked for DH, Endpoint.Dh.cs).</summary>
    private void DispatchPhase1(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        switch (sa.State)
        {
            case Phase1State.MainInitiatorSentSa:
                OnMainMode2(now, sa, h, message);
                break;
            case Phase1State.MainResponderSentSa:
                OnMainMode3(now, sa, h, message);
                break;
            case Phase1State.MainInitiatorSentKe:
                OnMainMode4(now, sa, h, message);
                break;
            case Phase1State.MainResponderSentKe:
                OnMainMode5(now, sa, h, message);
                break;
            case Phase1State.MainInitiatorSentAuth:
                OnMainMode6(now, sa, h, message);
                break;
            case Phase1State.AggressiveInitiatorSentSa:
                OnAggressive2(now, sa, h, message);
                break;
            case Phase1State.AggressiveResponderSentSa:
                OnAggressive3(now, sa, h, message);
                break;
            default:
                Drop(DiagnosticCode.Duplicate, sa, now, "Phase 1 message after establishment");
                break;
        }
    }

    /* <-- MM2 HDR, SA */
    private void OnMainMode2(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (h.IsEncrypted || !TryParseClear(h, message, out MessagePayloads m) || !ExchangeScript.Accepts(ExchangeStep.MainMode2, m.Present) ||
            !TryAcceptReplySa(sa, message.Slice(m.Sa.Start, m.Sa.Length)))
        {
            Drop(DiagnosticCode.Malformed, sa, now, "MM2 unacceptable");
            return;
        }

        LearnResponderCookie(sa, h.ResponderCookie);
        sa.PeerVendors = ClassifyVendors(message, in m);
        ChooseNatTraversal(sa);
        sa.Flight.RememberIncoming(message);
        DhStep keyPair = GenerateDh(sa, 0, sa.Chosen!.Group, message, DhResume.Phase1Message, out sa.DhKey, out sa.Gxi);
        if (keyPair == DhStep.Pending)
        {
            return; // parked: this handler runs again with the key pair
        }

        if (keyPair == DhStep.Failed)
        {
            RemoveSa(sa, now, DiagnosticCode.InvalidKeyInformation, false);
            return;
        }

        sa.Ni = NewNonce();
        /* MM3 HDR, KE, Ni --> */
        Span<byte> buf = sa.Flight.Writable(Phase1BufferSize);
        var w = new IsakmpWriter(buf);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
        w.WriteKeyExchange(sa.Gxi);
        w.WriteNonce(sa.Ni);
        WriteCertificateRequests(sa, ref w);
        WriteNatDiscovery(sa, ref w);
        FinishCleartext(sa, ref w, now, awaitingReply: true);
        sa.State = Phase1State.MainInitiatorSentKe;
    }

    /* MM3 HDR, KE, Ni --> */
    private void OnMainMode3(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (h.IsEncrypted || !TryParseClear(h, message, out MessagePayloads m) || !ExchangeScript.Accepts(ExchangeStep.MainMode3, m.Present) ||
            !TryTakeNonce(message, in m, out sa.Ni))
        {
            Drop(DiagnosticCode.Malformed, sa, now, "MM3 unacceptable");
            return;
        }

        sa.Gxi = Recopy(sa.Gxi, message.Slice(m.Ke.Start, m.Ke.Length));
        if (GenerateDh(sa, 0, sa.Chosen!.Group, message, DhResume.Phase1Message, out sa.DhKey, out sa.Gxr) != DhStep.Ready)
        {
            return; // parked (this handler runs again with the key pair) or failed
        }

        sa.Nr = NewNonce();

        // isakmpd's order: MM4 needs only our g^x and Nr, so it leaves now and g^xy (then SKEYID, RFC 2409 §5) is
        // computed while it is on the wire; a deferred g^xy resumes in FinishResponderKeys, and an MM5 that arrives
        // first waits for it. A bad peer value fails here, before MM4.
        DhStep shared = KeyExchange(now, sa, sa.Gxi, default, DhResume.ResponderKeys);
        if (shared == DhStep.Failed)
        {
            return;
        }

        sa.Flight.RememberIncoming(message);
        CheckNatDiscovery(sa, message, in m, now);
        /* MM4 <-- HDR, KE, Nr */
        Span<byte> buf = sa.Flight.Writable(Phase1BufferSize);
        var w = new IsakmpWriter(buf);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.IdentityProtection, IsakmpFlags.None, 0));
        w.WriteKeyExchange(sa.Gxr);
        w.WriteNonce(sa.Nr);
        WriteCertificateRequests(sa, ref w);
        WriteNatDiscovery(sa, ref w);
        FinishCleartext(sa, ref w, now, awaitingReply: true);
        sa.State = Phase1State.MainResponderSentKe;
        if (shared == DhStep.Ready)
        {
            TryDeriveKeys(now, sa, null);
        }
    }

    /* <-- MM4 HDR, KE, Nr */
    private void OnMainMode4(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (h.IsEncrypted || !TryParseClear(h, message, out MessagePayloads m) || !ExchangeScript.Accepts(ExchangeStep.MainMode4, m.Present) ||
            !TryTakeNonce(message, in m, out sa.Nr))
        {
            Drop(DiagnosticCode.Malformed, sa, now, "MM4 unacceptable");
            return;
        }

        sa.Gxr = Recopy(sa.Gxr, message.Slice(m.Ke.Start, m.Ke.Length));
        if (KeyExchange(now, sa, sa.Gxr, message, DhResume.Phase1Message) != DhStep.Ready || !TryDeriveKeys(now, sa, sa.Peer.RemoteAuth.Identity))
        {
            return;
        }

        sa.Flight.RememberIncoming(message);
        CheckNatDiscovery(sa, message, in m, now);
        FloatToNatTraversalPort(sa);
        /* MM5 HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)] --> */
        sa.IdiiB = LocalIdBody(sa);
        SendAuthentication(now, sa, ExchangeType.IdentityProtection, sa.IdiiB, initiator: true, awaitingReply: true);
        sa.State = Phase1State.MainInitiatorSentAuth;
    }

    /* MM5 HDR*, IDii, HASH_I --> */
    private void OnMainMode5(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        Span<byte> nextIv = stackalloc byte[16];
        if (!h.IsEncrypted || !TryDecrypt(CipherOf(sa), sa.Iv.Current, h, message, nextIv, out MessagePayloads m, out _))
        {
            // Silent: a wrong PSK or a forgery; the peer retransmits or gives up (no oracle for an attacker).
            Drop(DiagnosticCode.DecryptionFailed, sa, now, "MM5 does not decrypt to a valid payload chain (wrong PSK?)");
            return;
        }

        if (!ExchangeScript.Accepts(ExchangeStep.MainMode5, m.Present))
        {
            Drop(DiagnosticCode.Malformed, sa, now, $"MM5 payloads ({m.Present}) do not match the exchange script");
            return;
        }

        ReadOnlySpan<byte> plain = _plain;
        ReadOnlySpan<byte> idBody = plain.Slice(m.Id.Start, m.Id.Length);
        if (!CheckPeerIdentity(now, sa, idBody))
        {
            return;
        }

        if (!VerifyPeerAuthentication(now, sa, plain, in m, idBody, peerIsInitiator: true))
        {
            return;
        }

        nextIv[..CipherOf(sa).BlockSize].CopyTo(sa.Iv.Current);
        FollowPeerEndpoint(sa, now);
        sa.IdiiB = _bytes.Copy(idBody);
        bool initialContact = HasNotify(plain, in m, NotifyMessageType.InitialContact);
        sa.Flight.RememberIncoming(message);
        /* MM6 <-- HDR*, IDir, HASH_R */
        sa.IdirB = LocalIdBody(sa);
        SendAuthentication(now, sa, ExchangeType.IdentityProtection, sa.IdirB, initiator: false, awaitingReply: false);
        Establish(now, sa, initialContact);
    }

    /* <-- MM6 HDR*, IDir, HASH_R */
    private void OnMainMode6(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        Span<byte> nextIv = stackalloc byte[16];
        if (!h.IsEncrypted || !TryDecrypt(CipherOf(sa), sa.Iv.Current, h, message, nextIv, out MessagePayloads m, out _))
        {
            Drop(DiagnosticCode.DecryptionFailed, sa, now, "MM6 does not decrypt to a valid payload chain");
            return;
        }

        if (!ExchangeScript.Accepts(ExchangeStep.MainMode6, m.Present))
        {
            Drop(DiagnosticCode.Malformed, sa, now, $"MM6 payloads ({m.Present}) do not match the exchange script");
            return;
        }

        ReadOnlySpan<byte> plain = _plain;
        ReadOnlySpan<byte> idBody = plain.Slice(m.Id.Start, m.Id.Length);
        if (!CheckPeerIdentity(now, sa, idBody))
        {
            return;
        }

        if (!VerifyPeerAuthentication(now, sa, plain, in m, idBody, peerIsInitiator: false))
        {
            return;
        }

        nextIv[..CipherOf(sa).BlockSize].CopyTo(sa.Iv.Current);
        sa.IdirB = _bytes.Copy(idBody);
        sa.Flight.RememberIncoming(message);
        sa.Flight.Stop();
        Establish(now, sa, HasNotify(plain, in m, NotifyMessageType.InitialContact));
    }

    /* AM1 HDR, SA, KE, Ni, IDii -->   then   <-- AM2 HDR, SA, KE, Nr, IDir, HASH_R */
    private void RespondAggressive(long now, IkeSa sa, ReadOnlySpan<byte> message, in MessagePayloads m, ReadOnlySpan<byte> saBody,
        in IkeTransformOffer chosen)
    {
        ReadOnlySpan<byte> idBody = message.Slice(m.Id.Start, m.Id.Length);
        if (!TryTakeNonce(message, in m, out sa.Ni) || !CheckPeerIdentity(now, sa, idBody))
        {
            if (sa.State != Phase1State.Dead)
            {
                Drop(DiagnosticCode.Malformed, sa, now, "AM1 unacceptable");
                RemoveSa(sa, now, DiagnosticCode.Malformed, false);
            }

            return;
        }

        sa.IdiiB = Recopy(sa.IdiiB, idBody);
        sa.Gxi = Recopy(sa.Gxi, message.Slice(m.Ke.Start, m.Ke.Length));
        DhStep step = GenerateDh(sa, 0, sa.Chosen!.Group, message, DhResume.Aggressive1, out sa.DhKey, out sa.Gxr);
        if (step == DhStep.Ready)
        {
            step = KeyExchange(now, sa, sa.Gxi, message, DhResume.Aggressive1);
        }

        if (step != DhStep.Ready)
        {
            if (step == DhStep.Pending)
            {
                _dhLastParked!.Offer = chosen; // the replay answers with the same transform
            }

            return;
        }

        sa.Nr = NewNonce();
        if (!TryDeriveKeys(now, sa, sa.RemoteIdentity))
        {
            return;
        }

        sa.IdirB = LocalIdBody(sa);
        Span<byte> ckyI = stackalloc byte[8];
        Span<byte> ckyR = stackalloc byte[8];
        WriteCookies(sa, ckyI, ckyR);
        Span<byte> hashR = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int hashLength = sa.Keys.ComputeHashR(sa.Gxi, sa.Gxr, ckyI, ckyR, sa.SaiB, sa.IdirB, hashR);
        Span<byte> buf = sa.Flight.Writable(Phase1BufferSize);
        var w = new IsakmpWriter(buf);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.Aggressive, IsakmpFlags.None, 0));
        SaCodec.WriteIkeSaReply(ref w, saBody, in chosen);
        w.WriteKeyExchange(sa.Gxr);
        w.WriteNonce(sa.Nr);
        w.WritePayload(PayloadType.Identification, sa.IdirB);
        if (!WriteAuthenticator(now, sa, ref w, hashR[..hashLength]))
        {
            return;
        }

        WriteVendorIds(ref w);
        WriteNatDiscovery(sa, ref w);
        FinishCleartext(sa, ref w, now, awaitingReply: true);
        sa.State = Phase1State.AggressiveResponderSentSa;
    }

    /* <-- AM2 HDR, SA, KE, Nr, IDir, HASH_R */
    private void OnAggressive2(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (h.IsEncrypted || !TryParseClear(h, message, out MessagePayloads m) || !ExchangeScript.Accepts(ExchangeStep.Aggressive2, m.Present) ||
            !TryAcceptReplySa(sa, message.Slice(m.Sa.Start, m.Sa.Length)) || !TryTakeNonce(message, in m, out sa.Nr))
        {
            Drop(DiagnosticCode.Malformed, sa, now, "AM2 unacceptable");
            return;
        }

        LearnResponderCookie(sa, h.ResponderCookie);
        ReadOnlySpan<byte> idBody = message.Slice(m.Id.Start, m.Id.Length);
        if (!CheckPeerIdentity(now, sa, idBody))
        {
            return;
        }

        sa.PeerVendors = ClassifyVendors(message, in m);
        ChooseNatTraversal(sa);
        sa.Gxr = Recopy(sa.Gxr, message.Slice(m.Ke.Start, m.Ke.Length));
        if (KeyExchange(now, sa, sa.Gxr, message, DhResume.Phase1Message) != DhStep.Ready || !TryDeriveKeys(now, sa, sa.RemoteIdentity))
        {
            return;
        }

        if (!VerifyPeerAuthentication(now, sa, message, in m, idBody, peerIsInitiator: false))
        {
            return;
        }

        sa.IdirB = _bytes.Copy(idBody);
        sa.Flight.RememberIncoming(message);
        CheckNatDiscovery(sa, message, in m, now);
        /* AM3 HDR*, HASH_I [, NAT-D, NAT-D] --> (encrypted, as charon and pluto send it; on 4500 behind a NAT) */
        SendAuthentication(now, sa, ExchangeType.Aggressive, default, initiator: true, awaitingReply: false);
        Establish(now, sa, false);
    }

    /* AM3 HDR(*), HASH_I --> */
    private void OnAggressive3(long now, IkeSa sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        Span<byte> nextIv = stackalloc byte[16];
        MessagePayloads m;
        ReadOnlySpan<byte> source;
        if (h.IsEncrypted)
        {
            if (!TryDecrypt(CipherOf(sa), sa.Iv.Current, h, message, nextIv, out m, out _))
            {
                Drop(DiagnosticCode.DecryptionFailed, sa, now, "AM3 does not decrypt");
                return;
            }

            source = _plain;
        }
        else if (!TryParseClear(h, message, out m))
        {
            Drop(DiagnosticCode.Malformed, sa, now, "AM3 does not parse");
            return;
        }
        else
        {
            source = message;
        }

        if (!ExchangeScript.Accepts(ExchangeStep.Aggressive3, m.Present))
        {
            Drop(DiagnosticCode.Malformed, sa, now, $"AM3 payloads ({m.Present}) do not match the exchange script");
            return;
        }

        if (!VerifyPeerAuthentication(now, sa, source, in m, sa.IdiiB, peerIsInitiator: true))
        {
            return;
        }

        if (h.IsEncrypted)
        {
            nextIv[..CipherOf(sa).BlockSize].CopyTo(sa.Iv.Current);
        }

        // The initiator hashed the AM1/AM2 addresses (port 500); AM3 itself may already come from 4500.
        CheckNatDiscovery(sa, source, in m, now, sa.Local, sa.Remote);
        FollowPeerEndpoint(sa, now);
        bool initialContact = HasNotify(source, in m, NotifyMessageType.InitialContact);
        sa.Flight.RememberIncoming(message);
        sa.Flight.Stop();
        Establish(now, sa, initialContact);
    }

    /// <summary>MM5/MM6/AM3: [ID,] HASH_x [, N(INITIAL-CONTACT)], encrypted with the Phase 1 chain.</summary>
    private void SendAuthentication(long now, IkeSa sa, ExchangeType exchange, ReadOnlySpan<byte> idBody, bool initiator, bool awaitingReply)
    {
        Span<byte> ckyI = stackalloc byte[8];
        Span<byte> ckyR = stackalloc byte[8];
        WriteCookies(sa, ckyI, ckyR);
        Span<byte> hash = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int hashLength = initiator
            ? sa.Keys.ComputeHashI(sa.Gxi, sa.Gxr, ckyI, ckyR, sa.SaiB, sa.IdiiB, hash)
            : sa.Keys.ComputeHashR(sa.Gxi, sa.Gxr, ckyI, ckyR, sa.SaiB, sa.IdirB, hash);
        Span<byte> buf = sa.Flight.Writable(Phase1BufferSize);
        var w = new IsakmpWriter(buf);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, exchange, IsakmpFlags.Encryption, 0));
        if (!idBody.IsEmpty)
        {
            w.WritePayload(PayloadType.Identification, idBody);
        }

        if (!WriteAuthenticator(now, sa, ref w, hash[..hashLength]))
        {
            return;
        }

        if (initiator && exchange == ExchangeType.Aggressive)
        {
            WriteNatDiscovery(sa, ref w);
        }

        if (initiator && sa.Peer.SendInitialContact && !HasOtherSaWith(sa))
        {
            Span<byte> spi = stackalloc byte[16];
            ckyI.CopyTo(spi);
            ckyR.CopyTo(spi[8..]);
            w.WriteNotification((uint)DomainOfInterpretation.IpsecDoi, ProtocolId.Isakmp, NotifyMessageType.InitialContact, spi, default);
        }

        w.TryFinish(out int length);
        sa.Flight.Length = PadAndEncrypt(buf, length, CipherOf(sa), sa.Iv.Current);
        sa.Flight.Arm(now, Options.RetransmitInitialMs, awaitingReply);
        Schedule(sa);
        sa.Flight.FragmentSize = (sa.PeerVendors & KnownVendor.Fragmentation) != 0 ? Options.FragmentSize : 0;
        if (initiator && exchange == ExchangeType.Aggressive)
        {
            // RFC 3947 §4: in Aggressive Mode the initiator changes ports with AM3 (its NAT-D still names port 500).
            FloatToNatTraversalPort(sa);
        }

        SendFlight(sa.Flight);
    }

    private void Establish(long now, IkeSa sa, bool initialContact)
    {
        sa.State = Phase1State.Established;
        sa.EstablishedAt = now;
        sa.Flight.Trim(); // only kept for the reply cache from now on
        Schedule(sa);
        StartNatKeepalives(sa, now);
        NotePeerActivity(sa, now);
        ReleaseHalfOpen(sa);
        sa.SetLastPhase1Block(sa.Iv.Current);
        sa.DhKey?.Dispose();
        sa.DhKey = null;
        Counters.Phase1Established++;
        Emit(new EngineEvent
        {
            Kind = EngineEventKind.Phase1Up,
            Time = now,
            Connection = sa.Peer.Name,
            InitiatorCookie = sa.InitiatorCookie,
            ResponderCookie = sa.ResponderCookie,
            Peer = sa.Remote,
            IsInitiator = sa.IsInitiator,
            RemoteIdentity = sa.RemoteIdentity,
            Phase1Mode = sa.Mode,
            Proposal = sa.Chosen,
            LifetimeSeconds = sa.LifetimeSeconds,
            PeerVendors = sa.PeerVendors,
            // What the peer said with it: a host with several endpoints applies INITIAL-CONTACT on the others too.
            Notify = initialContact ? NotifyMessageType.InitialContact : 0,
            Message = Phase1Summary(sa),
        });
        if (initialContact)
        {
            // Before the lifecycle bookkeeping: with lifetimes managed, a new SA of the same identity would otherwise
            // adopt the stale IPsec SAs as a reauthentication does, and the peer that lost its state would keep them.
            DropOlderSas(now, sa);
        }

        OnPhase1Established(now, sa);
        sa.ReleaseNegotiationAtEstablishment(_bytes); // read for the last time above (the lowest nonce)

        sa.XauthDone = sa.Peer.Xauth == XauthRole.None;
        sa.ModeConfigDone = sa.Peer.ModeConfig?.Role != ModeConfigRole.Client;
        if (sa.Peer.Xauth == XauthRole.Server)
        {
            StartXauth(sa, now);
        }

        if (sa.XauthDone)
        {
            AfterExtendedAuthentication(sa, now);
        }
    }

    private void StartPendingChildren(IkeSa sa, long now)
    {
        if (sa.PendingChildren is not { } pending)
        {
            return;
        }

        foreach (ChildConfig child in pending)
        {
            StartQuickMode(sa, child, now);
        }

        pending.Clear();
        ReleasePendingChildren(sa);
    }

    /// <summary>INITIAL-CONTACT (RFC 2407 §4.6.3.3): the peer rebooted; every older SA with it is stale.</summary>
    private void DropOlderSas(long now, IkeSa current)
    {
        _timerScratch.Clear();
        foreach (IkeSa other in AllSas())
        {
            if (!ReferenceEquals(other, current) && other.Remote.Address.Equals(current.Remote.Address) && other.IsEstablished)
            {
                _timerScratch.Add(other);
            }
        }

        foreach (IkeSa old in _timerScratch)
        {
            Diagnose(DiagnosticCode.InitialContact, old, now, "INITIAL-CONTACT from the peer: older SA dropped");
            RemoveSa(old, now, DiagnosticCode.InitialContact, true);
        }

        _timerScratch.Clear();
    }

    private bool HasOtherSaWith(IkeSa sa)
    {
        foreach (IkeSa other in AllSas())
        {
            if (!ReferenceEquals(other, sa) && other.IsEstablished && other.Remote.Address.Equals(sa.Remote.Address))
            {
                return true;
            }
        }

        return false;
    }

    private void FinishCleartext(IkeSa sa, ref IsakmpWriter w, long now, bool awaitingReply)
    {
        if (!w.TryFinish(out int length))
        {
            throw new InvalidOperationException($"Phase 1 message does not fit: {w.Error}");
        }

        sa.Flight.Length = length;
        sa.Flight.Arm(now, Options.RetransmitInitialMs, awaitingReply);
        Schedule(sa);
        sa.Flight.FragmentSize = (sa.PeerVendors & KnownVendor.Fragmentation) != 0 ? Options.FragmentSize : 0;
        SendFlight(sa.Flight);
    }

    /// <summary>SAi_b: the body of the SA payload, which is the first payload of MM1/AM1 (RFC 2409 §5).</summary>
    private byte[] FirstPayloadBody(ReadOnlySpan<byte> message)
    {
        int length = BinaryPrimitives.ReadUInt16BigEndian(message[(IsakmpHeader.Size + 2)..]);
        return _bytes.Copy(message.Slice(IsakmpHeader.Size + GenericPayloadHeader.Size, length - GenericPayloadHeader.Size));
    }

    private void WriteVendorIds(ref IsakmpWriter w)
    {
        if (Options.VendorId is { } vid)
        {
            w.WriteVendorId(vid);
        }

        if (Options.AdvertiseDpd)
        {
            w.WriteVendorId(VendorIds.Dpd);
        }

        if (Options.AdvertiseFragmentation)
        {
            Span<byte> fragmentation = stackalloc byte[20];
            VendorIds.Fragmentation.CopyTo(fragmentation);
            fragmentation[16] = 0x80; // charon's capability bytes 80000000
            w.WriteVendorId(fragmentation);
        }

        WriteNatTraversalVendorIds(ref w);
    }

    private static KnownVendor ClassifyVendors(ReadOnlySpan<byte> source, in MessagePayloads m)
    {
        KnownVendor v = KnownVendor.None;
        for (int i = 0; i < m.VendorIdCount; i++)
        {
            (int start, int length) = m.VendorIds[i];
            v |= VendorIds.Classify(source.Slice(start, length));
        }

        return v;
    }

    private static bool HasNotify(ReadOnlySpan<byte> source, in MessagePayloads m, NotifyMessageType type)
    {
        for (int i = 0; i < m.NotifyCount; i++)
        {
            (int start, int length) = m.Notifies[i];
            if (NotificationPayload.TryRead(source.Slice(start, length), 0, out NotificationPayload n, out _) && n.NotifyType == type)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The responder's SA must be exactly one of our transforms (RFC 2409 §5).</summary>
    private static bool TryAcceptReplySa(IkeSa sa, ReadOnlySpan<byte> saBody)
    {
        Span<IkeTransformOffer> offers = stackalloc IkeTransformOffer[2];
        if (!SaCodec.TryReadIkeOffers(saBody, offers, out int count) || count != 1)
        {
            return false;
        }

        DhGroupId? group = sa.Mode == ExchangeMode.Aggressive ? sa.Peer.IkeProposals[0].Group : null;
        if (SaCodec.Select(offers[..1], sa.Peer.IkeProposals, SaCodec.WireAuth(sa.Peer), group, out IkeProposal? chosen) < 0)
        {
            return false;
        }

        sa.Chosen = chosen;
        if (offers[0].LifeSeconds > 0)
        {
            sa.LifetimeSeconds = Math.Min(sa.LifetimeSeconds, offers[0].LifeSeconds);
        }

        return true;
    }

    private void LearnResponderCookie(IkeSa sa, ulong responderCookie)
    {
        _halfOpenInitiator.Remove(sa.InitiatorCookie);
        sa.ResponderCookie = responderCookie;
        _saByCookies.Set(sa);
        Schedule(sa);
    }

    /// <summary>RFC 2409 §5: nonces are 8 to 256 bytes.</summary>
    private bool TryTakeNonce(ReadOnlySpan<byte> source, in MessagePayloads m, out byte[] nonce)
    {
        if (m.Nonce.Length is < 8 or > 256)
        {
            nonce = [];
            return false;
        }

        nonce = _bytes.Copy(source.Slice(m.Nonce.Start, m.Nonce.Length));
        return true;
    }

    /// <summary>SKEYID and the rest from the PSK (RFC 2409 §5.4), then the Phase 1 cipher and IV.</summary>
    private bool TryDeriveKeys(long now, IkeSa sa, IkeIdentity? remoteId)
    {
        Span<byte> shared = _shared.AsSpan(0, sa.SharedLength);
        try
        {
            IkeIdentity localId = sa.Peer.LocalAuth.Identity ?? AddressIdentity(sa.Local.Address);
            ReadOnlyMemory<byte> psk = default;
            if (!UsesSignatures(sa) &&
                !_secrets.TryGetPreSharedKey(localId, remoteId ?? sa.Peer.RemoteAuth.Identity, sa.Remote.Address, out psk))
            {
                Drop(DiagnosticCode.NoSecret, sa, now, "no pre-shared key for the peer");
                RemoveSa(sa, now, DiagnosticCode.NoSecret, false);
                return false;
            }

            IkeProposal p = sa.Chosen!;
            if (TryRentCipher(p.Encryption, p.KeyLengthBits, out IkeCbcCipher? cipher) != CipherSelectionError.None || cipher is null)
            {
                RemoveSa(sa, now, DiagnosticCode.NoProposalChosen, false);
                return false;
            }

            Span<byte> ckyI = stackalloc byte[8];
            Span<byte> ckyR = stackalloc byte[8];
            WriteCookies(sa, ckyI, ckyR);
            // RFC 2409 §5: SKEYID = prf(pre-shared-key, Ni_b | Nr_b) or, for signatures, prf(Ni_b | Nr_b, g^xy).
            sa.Keys = UsesSignatures(sa)
                ? Crypto.KeySchedule.Phase1KeyMaterial.DeriveSignature(p.Hash, cipher.KeySize, cipher.BlockSize, sa.Ni, sa.Nr, shared, ckyI, ckyR, sa.Gxi, sa.Gxr)
                : Crypto.KeySchedule.Phase1KeyMaterial.DerivePreSharedKey(p.Hash, cipher.KeySize, cipher.BlockSize, psk.Span,
                    sa.Ni, sa.Nr, shared, ckyI, ckyR, sa.Gxi, sa.Gxr);
            sa.HasKeys = true;
            sa.Cipher = cipher;
            if (!cipher.TrySetKey(sa.Keys.EncryptionKey))
            {
                RemoveSa(sa, now, DiagnosticCode.NoProposalChosen, false);
                return false;
            }

            sa.Iv.Initialize(sa.Keys.InitialIv);
            return true;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(shared);
        }
    }

    /// <summary>IDii_b/IDir_b: ID type, protocol 0, port 0, data (RFC 2407 §4.6.2; charon sends 0/0 in Phase 1).</summary>
    private byte[] LocalIdBody(IkeSa sa)
    {
        IkeIdentity id = sa.Peer.LocalAuth.Identity ??
            (UsesSignatures(sa) && sa.Peer.LocalAuth.Certificate is { } cert ? PeerCertificateValidator.DefaultIdentity(cert) : AddressIdentity(sa.Local.Address));
        byte[] body = _bytes.Rent(IdentificationPayload.FixedSize + id.Data.Length);
        body[0] = (byte)id.Type;
        id.Data.CopyTo(body.AsSpan(IdentificationPayload.FixedSize));
        return body;
    }

    /// <summary>The peer's ID must be the configured one (INVALID-ID-INFORMATION otherwise, RFC 2408 §3.14.1).</summary>
    private bool CheckPeerIdentity(long now, IkeSa sa, ReadOnlySpan<byte> idBody)
    {
        if (!IdentificationPayload.TryRead(idBody, 0, out IdentificationPayload id, out _))
        {
            Drop(DiagnosticCode.Malformed, sa, now, "ID payload malformed");
            return false;
        }

        IkeIdentity? want = sa.Peer.RemoteAuth.Identity;
        if (want is not null && !want.Matches(id.IdType, id.Data))
        {
            Drop(DiagnosticCode.InvalidIdInformation, sa, now, $"peer identity {new IkeIdentity(id.IdType, id.Data)} is not {want}",
                NotifyMessageType.InvalidIdInformation);
            SendUnprotectedNotify(sa.Local, sa.Remote, sa.InitiatorCookie, sa.ResponderCookie, NotifyMessageType.InvalidIdInformation);
            RemoveSa(sa, now, DiagnosticCode.InvalidIdInformation, false);
            return false;
        }

        sa.RemoteIdentity = PeerIdentity(id.IdType, id.Data, want);
        return true;
    }

    /// <summary>HASH_x, or with public keys CERT (our end-entity certificate) and SIG_x = RSA signature of HASH_x (RFC 2409 §5.1).</summary>
    private bool WriteAuthenticator(long now, IkeSa sa, ref IsakmpWriter w, scoped ReadOnlySpan<byte> hash)
    {
        if (!UsesSignatures(sa))
        {
            w.WriteHash(hash);
            return true;
        }

        X509Certificate2? cert = sa.Peer.LocalAuth.Certificate;
        byte[]? signature = cert is null ? null : _signingKeys.Sign(cert, hash);
        if (signature is null)
        {
            Diagnose(DiagnosticCode.AuthenticationFailed, sa, now, "no RSA private key to sign with");
            RemoveSa(sa, now, DiagnosticCode.AuthenticationFailed, false);
            return false;
        }

        w.WriteCertificate(CertificateEncoding.X509Signature, cert!.RawDataMemory.Span);
        w.WriteSignature(signature);
        return true;
    }

    private static bool UsesSignatures(IkeSa sa) => sa.Peer.LocalAuth.Method == AuthMethod.PubKey;

    /// <summary>CR payloads naming our trust anchors (RFC 2408 §3.10), so the peer sends a certificate they issued.</summary>
    private static void WriteCertificateRequests(IkeSa sa, ref IsakmpWriter w)
    {
        if (!UsesSignatures(sa))
        {
            return;
        }

        foreach (X509Certificate2 ca in sa.Peer.RemoteAuth.CaCertificates)
        {
            w.WriteCertificateRequest(CertificateEncoding.X509Signature, ca.SubjectName.RawData);
        }
    }

    /// <summary>
    /// HASH_I/HASH_R (pre-shared key) or CERT + SIG_I/SIG_R (RFC 2409 §5.1): the certificate must chain to a
    /// configured CA, carry the ID payload's identity, and its key must verify the signature of HASH_x.
    /// </summary>
    private bool VerifyPeerAuthentication(long now, IkeSa sa, ReadOnlySpan<byte> source, in MessagePayloads m, ReadOnlySpan<byte> idBody, bool peerIsInitiator)
    {
        Span<byte> ckyI = stackalloc byte[8];
        Span<byte> ckyR = stackalloc byte[8];
        WriteCookies(sa, ckyI, ckyR);
        if (!UsesSignatures(sa))
        {
            ReadOnlySpan<byte> received = source.Slice(m.Hash.Start, m.Hash.Length);
            bool ok = peerIsInitiator
                ? sa.Keys.VerifyHashI(sa.Gxi, sa.Gxr, ckyI, ckyR, sa.SaiB, idBody, received)
                : sa.Keys.VerifyHashR(sa.Gxi, sa.Gxr, ckyI, ckyR, sa.SaiB, idBody, received);
            if (!ok)
            {
                FailAuthentication(now, sa, peerIsInitiator ? "HASH_I does not verify" : "HASH_R does not verify");
            }

            return ok;
        }

        if ((m.Present & PayloadSet.Signature) == 0 || m.CertCount == 0)
        {
            FailAuthentication(now, sa, "public-key authentication without CERT and SIG");
            return false;
        }

        Span<byte> expected = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int expectedLength = peerIsInitiator
            ? sa.Keys.ComputeHashI(sa.Gxi, sa.Gxr, ckyI, ckyR, sa.SaiB, idBody, expected)
            : sa.Keys.ComputeHashR(sa.Gxi, sa.Gxr, ckyI, ckyR, sa.SaiB, idBody, expected);
        ReadOnlySpan<byte> signature = source.Slice(m.Signature.Start, m.Signature.Length);

        // A chain already validated under the same anchors (and still inside its validity) is not parsed or built
        // again: only the signature and the ID binding are checked (PeerCertificateCache).
        Span<(int Start, int Length)> der = stackalloc (int, int)[m.CertCount];
        int derCount = X509CertificateData(source, m, der);
        if (derCount == 0)
        {
            FailAuthentication(now, sa, "no X.509 certificate in the CERT payloads");
            return false;
        }

        IReadOnlyList<X509Certificate2> anchors = sa.Peer.RemoteAuth.CaCertificates;
        CertificateChainKey chainKey = default;
        bool cacheable = anchors.Count > 0;
        DateTime time = Options.CertificateTime();
        if (cacheable)
        {
            chainKey = CertificateCache.KeyOf(anchors, source, der[..derCount]);
            if (CertificateCache.TryGet(chainKey, time, out X509Certificate2 cached, out RsaPublicKey cachedKey))
            {
                return CheckSignatureAndIdentity(now, sa, cached, cachedKey, expected[..expectedLength], signature, idBody, peerIsInitiator);
            }
        }

        var certificates = new List<X509Certificate2>(derCount);
        RsaPublicKey? key = null;
        try
        {
            for (int i = 0; i < derCount; i++)
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(source.Slice(der[i].Start, der[i].Length)));
            }

            // Signature first, then the identity binding, then the chain: all three must hold; this order makes the
            // diagnostic name the first real problem (a valid signature by an untrusted key says "chain").
            X509Certificate2 endEntity = certificates[0];
            RSA? rsa = endEntity.GetRSAPublicKey();
            key = rsa is null ? null : new RsaPublicKey(rsa);
            if (key is null || !CheckSignatureAndIdentity(now, sa, endEntity, key, expected[..expectedLength], signature, idBody, peerIsInitiator))
            {
                if (key is null)
                {
                    FailAuthentication(now, sa, peerIsInitiator ? "SIG_I does not verify" : "SIG_R does not verify");
                }

                return false;
            }

            if (!PeerCertificateValidator.TryValidate(anchors, endEntity, certificates.GetRange(1, certificates.Count - 1),
                    time, out string error, out DateTime notBefore, out DateTime notAfter))
            {
                FailAuthentication(now, sa, error);
                return false;
            }

            if (cacheable)
            {
                CertificateCache.Add(chainKey, endEntity, key, notBefore, notAfter); // owned by the cache from now on
                certificates[0] = null!;
                key = null;
            }

            return true;
        }
        catch (CryptographicException e)
        {
            FailAuthentication(now, sa, $"certificate not usable: {e.Message}");
            return false;
        }
        finally
        {
            key?.Dispose();
            foreach (X509Certificate2 c in certificates)
            {
                c?.Dispose();
            }
        }
    }

    /// <summary>The DER bytes (offsets into <paramref name="source"/>) of the X.509 CERT payloads, in order; returns how many.</summary>
    private static int X509CertificateData(ReadOnlySpan<byte> source, in MessagePayloads m, Span<(int Start, int Length)> der)
    {
        int n = 0;
        for (int i = 0; i < m.CertCount; i++)
        {
            (int start, int length) = m.Certs[i];
            if (CertificatePayload.TryRead(source.Slice(start, length), 0, out CertificatePayload c, out _) &&
                c.Encoding == CertificateEncoding.X509Signature)
            {
                der[n++] = (start + CertificatePayload.DataOffset, c.Data.Length); // Data is the body after the encoding byte
            }
        }

        return n;
    }

    /// <summary>SIG_x under the end entity's key, then the ID payload bound to the certificate (RFC 2409 §5.1, RFC 4945 §3).</summary>
    private bool CheckSignatureAndIdentity(long now, IkeSa sa, X509Certificate2 endEntity, RsaPublicKey key, ReadOnlySpan<byte> expected,
        ReadOnlySpan<byte> signature, ReadOnlySpan<byte> idBody, bool peerIsInitiator)
    {
        if (!key.Verify(expected, signature))
        {
            FailAuthentication(now, sa, peerIsInitiator ? "SIG_I does not verify" : "SIG_R does not verify");
            return false;
        }

        if (!IdentificationPayload.TryRead(idBody, 0, out IdentificationPayload id, out _) ||
            !PeerCertificateValidator.IdentityMatches(endEntity, id.IdType, id.Data))
        {
            FailAuthentication(now, sa, $"ID is not bound to the certificate of {endEntity.Subject}");
            return false;
        }

        return true;
    }

    private void FailAuthentication(long now, IkeSa sa, string message)
    {
        Drop(DiagnosticCode.AuthenticationFailed, sa, now, message, NotifyMessageType.AuthenticationFailed);
        SendUnprotectedNotify(sa.Local, sa.Remote, sa.InitiatorCookie, sa.ResponderCookie, NotifyMessageType.AuthenticationFailed);
        RemoveSa(sa, now, DiagnosticCode.AuthenticationFailed, false);
    }

    /// <summary>
    /// A datagram equal to the last one received in this exchange is a retransmission: our last message is sent
    /// again (no new DH, no state change). Returns true when handled.
    /// <para>
    /// The requester of an exchange (<paramref name="requester"/>: the Phase 1 initiator, whose MM3/MM5 wait for a
    /// reply) does not answer a repeat while its own flight is still awaiting the reply: its retransmission timer
    /// already resends that flight (RFC 2408 §5), and answering too would turn one duplicated datagram into a
    /// duplicate of every later message of the exchange (a duplicated MM1 → two MM2 → two MM3 → two MM4 ...).
    /// </para>
    /// </summary>
    private bool RepeatOrDrop(IkeSa sa, Flight f, ReadOnlySpan<byte> message, long now, bool requester, bool dropIfNew = true)
    {
        if (f.IsRepeat(message))
        {
            Counters.Count(DiagnosticCode.Retransmission);
            if (f.Length > 0 && f.Answers(message) && !(requester && f.AwaitingReply))
            {
                SendFlight(f);
            }

            return true;
        }

        if (dropIfNew)
        {
            Drop(DiagnosticCode.Duplicate, sa, now, "unexpected message for an exchange in progress");
            return true;
        }

        return false;
    }

    private static bool AddressMatches(PeerConfig c, IPEndPoint local, IPEndPoint remote) =>
        (c.RemoteAddress is null || TrafficSelectorCodec.Unmap(c.RemoteAddress).Equals(TrafficSelectorCodec.Unmap(remote.Address))) &&
        (c.LocalAddress is null || IPAddress.Any.Equals(local.Address) || TrafficSelectorCodec.Unmap(c.LocalAddress).Equals(TrafficSelectorCodec.Unmap(local.Address)));
}
