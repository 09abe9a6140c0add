using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>Dispatch, SA table, transmit queue, timers and the encryption helpers shared by every exchange.</summary>
public sealed partial class Endpoint
{
    private const int MaxMessage = 65535;

    private readonly List<PeerConfig> _connections;
    private readonly ISecretStore _secrets;
    private readonly IDhEngine _dh;
    private readonly IEngineRandom _random;
    private readonly RsaSigningKeys _signingKeys = new();
    private PeerCertificateCache? _certificateCache;

    /// <summary>Validated peer certificate chains, made on first use (public-key authentication only).</summary>
    internal PeerCertificateCache CertificateCache => _certificateCache ??= new PeerCertificateCache();
    private readonly ISpiAllocator _spis;
    private readonly Queue<EngineEvent> _events = new();
    private readonly Queue<PendingTransmit> _transmits = new();

    /// <summary>Every Phase 1 SA whose two cookies are known (RFC 2408 §2.5.3: the cookie pair names the ISAKMP SA).</summary>
    private readonly SaByCookies _saByCookies = new(); // keyed through the SA: 16-byte entries (issue #7)

    /// <summary>Our initiator SAs before the responder cookie is known, by initiator cookie.</summary>
    private readonly Dictionary<ulong, IkeSa> _halfOpenInitiator = [];

    /// <summary>Responder SAs by (initiator cookie, peer): recognises a retransmitted MM1/AM1.</summary>
    private readonly Dictionary<(ulong I, IPEndPoint Remote), IkeSa> _responderByInitiator = [];

    private readonly Dictionary<IPAddress, int> _halfOpenByAddress = [];
    private int _halfOpenCount;

    /// <summary>Scratch for decrypted bodies and message building (one message at a time: not thread-safe).</summary>
    private readonly byte[] _plain = new byte[MaxMessage];
    private readonly byte[] _shared = GC.AllocateArray<byte>(1024, pinned: true);
    private readonly List<IkeSa> _timerScratch = [];
    private readonly List<IkeSa> _compactScratch = [];

    /// <summary>
    /// Timer queue: each SA is queued under the earliest of its deadlines (<see cref="SaDeadline"/>), so
    /// <see cref="PollTimeout"/> and <see cref="HandleTimeout"/> cost O(log n) per due SA instead of a scan of every
    /// SA. Invalidation is lazy: an entry counts only while its SA is live and the entry's priority equals
    /// <see cref="IkeSa.TimerDue"/>; a deadline that moved later is corrected when its entry reaches the top, one
    /// that moved earlier is re-queued by <see cref="Schedule"/> at the places that can make it earlier.
    /// </summary>
    private readonly PriorityQueue<IkeSa, long> _timers = new();
    private readonly List<IkeSa> _timerDirty = [];
    private readonly List<IkeSa> _dueScratch = [];

    /// <summary>An SA per connection (by reference) for <c>Initiate</c>'s reuse lookup; see FindSaForConnection.</summary>
    private readonly Dictionary<PeerConfig, IkeSa> _saByConnection = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<PeerConfig, int> _saCountByConnection = new(ReferenceEqualityComparer.Instance);

    private void HandleDatagram(long now, IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> datagram)
    {
        if (!IsakmpMessageReader.TryCreate(datagram, IsakmpReadOptions.AllowTrailingBytes, out IsakmpMessageReader reader, out WireFault fault))
        {
            Drop(DiagnosticCode.Malformed, null, now, $"header: {fault.Error}");
            return;
        }

        IsakmpHeader h = reader.Header;
        ReadOnlySpan<byte> message = reader.Message;
        if (h.NextPayload == PayloadType.Fragment)
        {
            HandleFragment(now, local, remote, h, message);
            return;
        }

        switch (h.ExchangeType)
        {
            case ExchangeType.IdentityProtection or ExchangeType.Aggressive:
                if (h.ResponderCookie == 0)
                {
                    HandlePhase1Request(now, local, remote, h, message);
                    return;
                }

                IkeSa? sa = FindSa(h);
                if (sa is null)
                {
                    Drop(DiagnosticCode.UnknownSa, null, now, "Phase 1 message for unknown cookies");
                    return;
                }

                HandlePhase1(now, sa, remote, h, message);
                return;
            case ExchangeType.QuickMode:
                IkeSa? qsa = FindSa(h);
                if (qsa is null || !qsa.IsEstablished || !qsa.XauthDone || !qsa.ModeConfigDone || !h.IsEncrypted || h.MessageId == 0)
                {
                    Drop(DiagnosticCode.UnknownSa, qsa, now, "Quick Mode without an established ISAKMP SA");
                    return;
                }

                HandleQuickMode(now, qsa, h, message);
                return;
            case ExchangeType.Informational:
                HandleInformational(now, FindSa(h), remote, h, message);
                return;
            case ExchangeType.Transaction:
                HandleTransaction(now, FindSa(h), h, message);
                return;
            default:
                Drop(DiagnosticCode.UnsupportedExchange, null, now, $"exchange type {h.ExchangeType}");
                return;
        }
    }

    /// <summary>An IKE fragment (payload 132): collected per SA; the reassembled message is then handled as received.</summary>
    private void HandleFragment(long now, IPEndPoint local, IPEndPoint remote, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        IkeSa? sa = h.ResponderCookie == 0 ? null : FindSa(h);
        var chain = new PayloadChainReader(message[IsakmpHeader.Size..], h.NextPayload, IsakmpHeader.Size);
        if (sa is null || !chain.TryReadNext(out RawPayload p) || !FragmentPayload.TryRead(p.Body, p.BodyOffset, out FragmentPayload f, out _))
        {
            Drop(sa is null ? DiagnosticCode.UnknownSa : DiagnosticCode.Malformed, sa, now, "IKE fragment not acceptable");
            return;
        }

        sa.Fragments ??= new FragmentReassembler();
        if (!sa.Fragments.TryAdd(now, Options.FragmentReassemblyMs, f.FragmentId, f.FragmentNumber, f.IsLast, f.Data, out byte[]? whole))
        {
            return;
        }

        if (!IsakmpHeader.TryReadUnchecked(whole, out IsakmpHeader inner) || inner.NextPayload == PayloadType.Fragment ||
            inner.InitiatorCookie != h.InitiatorCookie || inner.ResponderCookie != h.ResponderCookie)
        {
            Drop(DiagnosticCode.Malformed, sa, now, "reassembled fragments are not a message of this SA");
            return;
        }

        HandleDatagram(now, local, remote, whole);
    }

    private IkeSa? FindSa(in IsakmpHeader h)
    {
        if (_saByCookies.TryGetValue((h.InitiatorCookie, h.ResponderCookie), out IkeSa? sa))
        {
            return sa;
        }

        // Our MM1/AM1 is answered: the reply names the responder cookie for the first time.
        if (_halfOpenInitiator.TryGetValue(h.InitiatorCookie, out sa) && sa.ResponderCookie == 0)
        {
            return sa;
        }

        return null;
    }

    /// <summary>Parses a cleartext message's payload chain (strict: RFC 2408 lengths, no trailing bytes).</summary>
    private static bool TryParseClear(in IsakmpHeader h, ReadOnlySpan<byte> message, out MessagePayloads m)
    {
        var chain = new PayloadChainReader(message[IsakmpHeader.Size..], h.NextPayload, IsakmpHeader.Size);
        return MessagePayloads.TryParse(ref chain, out m);
    }

    /// <summary>
    /// Decrypts an encrypted body into the scratch buffer with a copy of the IV; the chain is advanced only by the
    /// caller once the message proved authentic (a forged message must not desynchronise the IVs).
    /// </summary>
    private bool TryDecrypt(IkeCbcCipher cipher, ReadOnlySpan<byte> iv, in IsakmpHeader h, ReadOnlySpan<byte> message,
        Span<byte> nextIv, out MessagePayloads m, out int plainLength)
    {
        m = default;
        ReadOnlySpan<byte> body = message[IsakmpHeader.Size..];
        plainLength = body.Length;
        if (body.Length == 0 || body.Length % cipher.BlockSize != 0)
        {
            return false;
        }

        iv.CopyTo(nextIv);
        Span<byte> plain = _plain.AsSpan(0, body.Length);
        if (!cipher.TryDecrypt(body, nextIv[..cipher.BlockSize], plain))
        {
            return false;
        }

        var chain = PayloadChainReader.ForDecryptedBody(plain, h.NextPayload, 0);
        return MessagePayloads.TryParse(ref chain, out m);
    }

    /// <summary>
    /// Pads the plaintext after the header to the cipher block with zeros (RFC 2409 §5.3), fixes the header length
    /// and encrypts in place, advancing the IV chain. Returns the final length. Like charon (recorded MM6: a
    /// 48-byte body carries 16 bytes of padding) there is always at least one padding byte, a whole block when the
    /// body is already aligned, so our messages are byte-identical to charon's for the same keys.
    /// </summary>
    private static int PadAndEncrypt(Span<byte> buffer, int length, IkeCbcCipher cipher, Span<byte> iv)
    {
        int bs = cipher.BlockSize;
        int pad = bs - ((length - IsakmpHeader.Size) % bs);
        buffer.Slice(length, pad).Clear();
        length += pad;
        BinaryPrimitives.WriteUInt32BigEndian(buffer[IsakmpHeader.LengthOffset..], (uint)length);
        Span<byte> body = buffer[IsakmpHeader.Size..length];
        cipher.TryEncrypt(body, iv, body);
        return length;
    }

    /// <summary>Queues a datagram (copied into a pooled buffer).</summary>
    private void Send(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> datagram)
    {
        byte[] buffer = _transmitBuffers.Rent((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(datagram.Length, 1024)));
        datagram.CopyTo(buffer);
        _transmits.Enqueue(new PendingTransmit(buffer, datagram.Length, local, remote));
    }

    private void SendFlight(Flight f)
    {
        if (f.FragmentSize > 0 && f.Length > f.FragmentSize)
        {
            SendFragmented(f);
            return;
        }

        Send(f.Local!, f.Remote!, f.Buffer.AsSpan(0, f.Length));
    }

    /// <summary>
    /// Cisco/strongSwan IKE fragmentation: the whole message split into Fragment payloads (132), each behind a copy
    /// of the header (next payload 132, no E flag); retransmissions resend every fragment under the same ID.
    /// </summary>
    private void SendFragmented(Flight f)
    {
        ReadOnlySpan<byte> whole = f.Buffer.AsSpan(0, f.Length);
        IsakmpHeader.TryReadUnchecked(whole, out IsakmpHeader h);
        int chunk = f.FragmentSize - IsakmpHeader.Size - GenericPayloadHeader.Size - FragmentPayload.FixedSize;
        if (f.FragmentId == 0)
        {
            f.FragmentId = 1;
        }

        Span<byte> buffer = stackalloc byte[f.FragmentSize];
        byte number = 1;
        for (int offset = 0; offset < whole.Length; offset += chunk, number++)
        {
            int length = Math.Min(chunk, whole.Length - offset);
            bool last = offset + length == whole.Length;
            var w = new IsakmpWriter(buffer);
            w.WriteHeader(new IsakmpHeader(h.InitiatorCookie, h.ResponderCookie, PayloadType.None, h.ExchangeType, IsakmpFlags.None, h.MessageId));
            w.WriteFragment(f.FragmentId, number, last ? FragmentFlags.Last : FragmentFlags.None, whole.Slice(offset, length));
            if (w.TryFinish(out int written))
            {
                Send(f.Local!, f.Remote!, buffer[..written]);
            }
        }
    }

    private bool DequeueTransmit(Span<byte> buffer, out Transmit transmit)
    {
        if (!_transmits.TryPeek(out PendingTransmit p) || buffer.Length < p.Length)
        {
            transmit = default;
            return false;
        }

        _transmits.Dequeue();
        p.Buffer.AsSpan(0, p.Length).CopyTo(buffer);
        _transmitBuffers.Return(p.Buffer);
        Counters.Sent++;
        transmit = new Transmit(p.Local, p.Remote, p.Length);
        return true;
    }

    private void Emit(EngineEvent e) => _events.Enqueue(e);

    private void Drop(DiagnosticCode code, IkeSa? sa, long now, string message, NotifyMessageType notify = 0)
    {
        Counters.Dropped++;
        Diagnose(code, sa, now, message, notify);
    }

    private void Diagnose(DiagnosticCode code, IkeSa? sa, long now, string message, NotifyMessageType notify = 0)
    {
        Counters.Count(code);
        if (_events.Count >= Options.MaxPendingDiagnostics)
        {
            Counters.DiagnosticsSuppressed++;
            return;
        }

        Emit(new EngineEvent
        {
            Kind = EngineEventKind.Diagnostic,
            Time = now,
            Connection = sa?.Peer.Name,
            InitiatorCookie = sa?.InitiatorCookie ?? 0,
            ResponderCookie = sa?.ResponderCookie ?? 0,
            Peer = sa?.Remote,
            IsInitiator = sa?.IsInitiator ?? false,
            Diagnostic = code,
            Notify = notify,
            Message = message,
        });
    }

    /// <summary>
    /// An unprotected notification (before keys exist, RFC 2408 §5: Informational exchange without encryption).
    /// The receiver never trusts it; it only helps an honest peer's operator.
    /// </summary>
    private void SendUnprotectedNotify(IPEndPoint local, IPEndPoint remote, ulong icky, ulong rcky, NotifyMessageType type)
    {
        Span<byte> buf = stackalloc byte[128];
        var w = new IsakmpWriter(buf);
        uint mid = 0;
        w.WriteHeader(new IsakmpHeader(icky, rcky, PayloadType.None, ExchangeType.Informational, IsakmpFlags.None, mid));
        w.WriteNotification((uint)DomainOfInterpretation.IpsecDoi, ProtocolId.Isakmp, type, default, default);
        if (w.TryFinish(out int len))
        {
            Send(local, remote, buf[..len]);
        }
    }

    private ulong NewCookie()
    {
        Span<byte> b = stackalloc byte[8];
        ulong c;
        do
        {
            _random.Fill(b);
            c = BinaryPrimitives.ReadUInt64BigEndian(b);
            if (Options.CookieShaper is { } shape)
            {
                c = shape(c);
            }
        }
        while (c == 0);
        return c;
    }

    private uint NewMessageId(IkeSa sa)
    {
        Span<byte> b = stackalloc byte[4];
        uint id;
        do
        {
            _random.Fill(b);
            id = BinaryPrimitives.ReadUInt32BigEndian(b);
        }
        while (id == 0 || sa.Exchanges.ContainsKey(id) || sa.CompletedMessageIds.Contains(id));
        return id;
    }

    private byte[] NewNonce()
    {
        byte[] n = _bytes.Rent(Options.NonceLength);
        _random.Fill(n);
        return n;
    }

    private static void WriteCookies(IkeSa sa, Span<byte> ckyI, Span<byte> ckyR)
    {
        BinaryPrimitives.WriteUInt64BigEndian(ckyI, sa.InitiatorCookie);
        BinaryPrimitives.WriteUInt64BigEndian(ckyR, sa.ResponderCookie);
    }

    private void RemoveSa(IkeSa sa, long now, DiagnosticCode reason, bool wasEstablished, bool keepChildren = false)
    {
        CancelDh(sa);
        UnindexByConnection(sa);
        _saByCookies.Remove(sa);
        if (_halfOpenInitiator.TryGetValue(sa.InitiatorCookie, out IkeSa? h) && ReferenceEquals(h, sa))
        {
            _halfOpenInitiator.Remove(sa.InitiatorCookie);
        }

        if (!sa.IsInitiator && _responderByInitiator.TryGetValue((sa.InitiatorCookie, sa.Remote), out IkeSa? r) && ReferenceEquals(r, sa))
        {
            _responderByInitiator.Remove((sa.InitiatorCookie, sa.Remote));
        }

        ReleaseHalfOpen(sa);
        ForgetPhase1(sa); // a replaced ISAKMP SA hands its IPsec SAs to its successor first (Endpoint.Reauth.cs)
        ReleaseLeases(sa);
        if (!keepChildren)
        {
            foreach (ChildSaInfo child in sa.Children)
            {
                EmitChildDelete(sa, child, now);
            }
        }

        foreach (ChildSaInfo child in sa.Children)
        {
            child.Live = false;
        }

        sa.Children.Clear();
        foreach (QuickModeExchange qm in sa.Exchanges.Values)
        {
            if (qm.State != QuickModeState.Done && qm.InboundSpi != 0)
            {
                _spis.Release(qm.Chosen?.Protocol ?? IpsecProtocol.Esp, qm.InboundSpi);
            }
        }

        if (sa.Chosen is { } chosen)
        {
            ReleaseCipher(sa, chosen.Encryption, chosen.KeyLengthBits);
        }

        sa.Dispose();
        Retire(sa);
        Emit(new EngineEvent
        {
            Kind = EngineEventKind.Phase1Down,
            Time = now,
            Connection = sa.Peer.Name,
            InitiatorCookie = sa.InitiatorCookie,
            ResponderCookie = sa.ResponderCookie,
            Peer = sa.Remote,
            IsInitiator = sa.IsInitiator,
            // The established SA's peer identity (a host indexing its peers by identity forgets this one).
            RemoteIdentity = wasEstablished ? sa.RemoteIdentity : null,
            Diagnostic = reason,
            Message = wasEstablished ? "deleted" : "negotiation failed",
        });
    }

    private void EmitChildDelete(IkeSa sa, ChildSaInfo child, long now)
    {
        ForgetChild(child);
        Emit(new EngineEvent
        {
            Kind = EngineEventKind.DeleteChildSa,
            Time = now,
            Connection = sa.Peer.Name,
            InitiatorCookie = sa.InitiatorCookie,
            ResponderCookie = sa.ResponderCookie,
            Peer = sa.Remote,
            IsInitiator = sa.IsInitiator,
            ChildSa = child,
        });
    }

    /// <summary>Responder half-open accounting (RFC 2408 §2.5.3 anti-clogging is cookies; we also cap state).</summary>
    private bool TryReserveHalfOpen(IPAddress address)
    {
        _halfOpenByAddress.TryGetValue(address, out int n);
        if (_halfOpenCount >= Options.MaxHalfOpen || n >= Options.MaxHalfOpenPerAddress)
        {
            return false;
        }

        _halfOpenCount++;
        _halfOpenByAddress[address] = n + 1;
        return true;
    }

    private void ReleaseHalfOpen(IkeSa sa)
    {
        if (sa.IsInitiator || !sa.CountsAsHalfOpen)
        {
            return;
        }

        sa.CountsAsHalfOpen = false;
        _halfOpenCount--;
        IPAddress a = sa.Remote.Address;
        if (_halfOpenByAddress.TryGetValue(a, out int n))
        {
            if (n <= 1)
            {
                _halfOpenByAddress.Remove(a);
            }
            else
            {
                _halfOpenByAddress[a] = n - 1;
            }
        }
    }

    /// <summary>Every live SA: the cookie table, then initiator SAs still waiting for the responder cookie (no allocation).</summary>
    private SaTableEnumerable AllSas() => new(_saByCookies.Values, _halfOpenInitiator);

    private void RunTimers(long now)
    {
        FlushSchedule();
        _dueScratch.Clear();
        while (_timers.TryPeek(out IkeSa? due, out long at) && at <= now)
        {
            _timers.Dequeue();
            if (IsLive(due) && at == due.TimerDue)
            {
                due.TimerDue = long.MaxValue;
                _dueScratch.Add(due);
            }
        }

        foreach (IkeSa sa in _dueScratch)
        {
            // Whatever the body does (or skips), the SA's next deadline is recomputed afterwards.
            Schedule(sa);
        }

        foreach (IkeSa sa in _dueScratch)
        {
            if (sa.State == Phase1State.Dead)
            {
                continue;
            }

            // An idle SA has no flight (IkeSa.DetachFlight): reading sa.Flight would make one.
            if (sa.FlightAwaitingReply && now >= sa.FlightDeadline && sa.Flight is var f)
            {
                if (f.Attempts >= Options.RetransmitLimit)
                {
                    Diagnose(DiagnosticCode.Timeout, sa, now, $"Phase 1 gave up after {f.Attempts} retransmissions");
                    RemoveSa(sa, now, DiagnosticCode.Timeout, sa.IsEstablished);
                    continue;
                }

                f.Attempts++;
                f.Interval *= 2;
                f.Deadline = now + f.Interval;
                SendFlight(f);
            }

            if (!sa.IsEstablished && !sa.IsInitiator && now - sa.CreatedAt >= Options.HalfOpenTimeoutMs)
            {
                Diagnose(DiagnosticCode.Timeout, sa, now, "half-open responder SA expired");
                RemoveSa(sa, now, DiagnosticCode.Timeout, false);
                continue;
            }

            // Rekeying, reauthentication, collisions and hard expiry when the engine manages lifetimes (Endpoint.Rekey.cs).
            if (!RunPhase1Lifecycle(sa, now))
            {
                continue;
            }

            RunChildLifecycles(sa, now);

            // The ISAKMP SA lifetime (RFC 2407 §4.5 / RFC 2409 Appendix A Life Duration) is a hard limit: delete
            // it, telling the peer; its IPsec SAs keep their own kernel lifetimes.
            if (sa.IsEstablished && sa.LifetimeSeconds > 0 && now - sa.EstablishedAt >= sa.LifetimeSeconds * 1000)
            {
                Diagnose(DiagnosticCode.Timeout, sa, now, "ISAKMP SA lifetime expired");
                DeleteIkeSa(sa.InitiatorCookie, sa.ResponderCookie, now, notifyPeer: true, keepChildren: true);
                continue;
            }

            RunNatKeepalive(sa, now);
            if (!RunDpd(sa, now))
            {
                continue;
            }

            if (!RunTransactionTimers(sa, now))
            {
                continue;
            }

            RunQuickModeTimers(sa, now);
            if (Phase1MaterialReleaseAt(sa) <= now)
            {
                ReleaseIdleMaterial(sa);
            }
        }

        _dueScratch.Clear();
        FlushSchedule();
    }

    /// <summary>The last SA of a connection leaving the tables drops its index entry (no scan on the next Initiate).</summary>
    private void UnindexByConnection(IkeSa sa)
    {
        if (!sa.CountedByConnection)
        {
            return;
        }

        sa.CountedByConnection = false;
        int left = _saCountByConnection[sa.Peer] - 1;
        if (left == 0)
        {
            _saCountByConnection.Remove(sa.Peer);
            _saByConnection.Remove(sa.Peer);
        }
        else
        {
            _saCountByConnection[sa.Peer] = left;
        }
    }

    /// <summary>Marks an SA whose earliest deadline may have moved earlier (re-queued by <see cref="FlushSchedule"/>).</summary>
    private void Schedule(IkeSa sa) => _timerDirty.Add(sa);

    private void FlushSchedule()
    {
        foreach (IkeSa sa in _timerDirty)
        {
            if (!IsLive(sa))
            {
                continue;
            }

            long due = SaDeadline(sa);
            if (due < sa.TimerDue)
            {
                sa.TimerDue = due;
                _timers.Enqueue(sa, due);
            }
        }

        _timerDirty.Clear();
        CompactTimers();
    }

    /// <summary>
    /// Every time an SA's deadline moves earlier it is queued again and its older, later entry stays behind (lazy
    /// invalidation); on a long-lived SA with steady activity those would pile up until their far deadlines pass
    /// (an ISAKMP SA lifetime away). When stale entries outnumber live SAs, the queue is rebuilt from the valid
    /// ones: amortised O(log n) per entry, no allocation (the scratch list and the queue keep their capacity).
    /// </summary>
    private void CompactTimers()
    {
        if (_timers.Count <= (2 * Phase1SaCount) + 64)
        {
            return;
        }

        _compactScratch.Clear();
        foreach ((IkeSa sa, long at) in _timers.UnorderedItems)
        {
            if (at == sa.TimerDue && IsLive(sa))
            {
                _compactScratch.Add(sa);
            }
        }

        _timers.Clear();
        foreach (IkeSa sa in _compactScratch)
        {
            _timers.Enqueue(sa, sa.TimerDue);
        }

        _compactScratch.Clear();
    }

    /// <summary>True while the SA is in the tables the timers used to scan (<see cref="AllSas"/>).</summary>
    private bool IsLive(IkeSa sa) =>
        sa.ListedByCookies || // kept by _saByCookies: no lookup (several per handshake)
        (sa.ResponderCookie == 0 && _halfOpenInitiator.TryGetValue(sa.InitiatorCookie, out IkeSa? halfOpen) && ReferenceEquals(halfOpen, sa));

    private void RunQuickModeTimers(IkeSa sa, long now)
    {
        List<uint>? finished = null; // _finishedScratch once a first exchange finished (no list per call)
        foreach (QuickModeExchange qm in sa.Exchanges.Values)
        {
            Flight f = qm.Flight;
            if (qm.State == QuickModeState.Done)
            {
                if (now - qm.DoneAt >= Options.ReplyCacheMs)
                {
                    (finished ??= Scratch(_finishedScratch)).Add(qm.MessageId);
                }

                continue;
            }

            if (f.AwaitingReply && now >= f.Deadline)
            {
                if (f.Attempts >= Options.RetransmitLimit)
                {
                    Diagnose(DiagnosticCode.Timeout, sa, now, $"Quick Mode {qm.MessageId:x8} gave up");
                    if (qm.InboundSpi != 0)
                    {
                        _spis.Release(qm.Chosen?.Protocol ?? IpsecProtocol.Esp, qm.InboundSpi);
                    }

                    (finished ??= Scratch(_finishedScratch)).Add(qm.MessageId);
                    continue;
                }

                f.Attempts++;
                f.Interval *= 2;
                f.Deadline = now + f.Interval;
                SendFlight(f);
            }
        }

        if (finished is not null)
        {
            foreach (uint id in finished)
            {
                if (sa.Exchanges.Remove(id, out QuickModeExchange? qm))
                {
                    qm.Dispose();
                    Retire(qm);
                }

                sa.CompletedMessageIds.Add(id);
            }
        }
    }

    private readonly List<uint> _finishedScratch = [];

    private static List<uint> Scratch(List<uint> list)
    {
        list.Clear();
        return list;
    }

    private long? NextDeadline()
    {
        FlushSchedule();
        while (_timers.TryPeek(out IkeSa? sa, out long at))
        {
            if (!IsLive(sa) || at != sa.TimerDue)
            {
                _timers.Dequeue(); // stale entry
                continue;
            }

            long fresh = SaDeadline(sa);
            if (fresh == at)
            {
                return at;
            }

            // The deadline moved (later, or to none): re-queue under the fresh one.
            _timers.Dequeue();
            sa.TimerDue = fresh;
            if (fresh != long.MaxValue)
            {
                _timers.Enqueue(sa, fresh);
            }
        }

        return null;
    }

    /// <summary>
    /// The earliest deadline by a scan of every SA (what the queue replaced): tests compare it with
    /// <see cref="PollTimeout"/> to prove every place that moves a deadline earlier calls <see cref="Schedule"/>.
    /// </summary>
    internal long? ScanDeadline()
    {
        long best = long.MaxValue;
        foreach (IkeSa sa in AllSas())
        {
            best = Math.Min(best, SaDeadline(sa));
        }

        return best == long.MaxValue ? null : best;
    }

    /// <summary>The earliest deadline of one SA (long.MaxValue: none): the min the timers act on.</summary>
    private long SaDeadline(IkeSa sa)
    {
        long best = long.MaxValue;
        {
            best = Math.Min(best, sa.FlightDeadline);
            if (!sa.IsEstablished && !sa.IsInitiator)
            {
                best = Math.Min(best, sa.CreatedAt + Options.HalfOpenTimeoutMs);
            }

            if (sa.IsEstablished)
            {
                best = Math.Min(best, sa.NextKeepaliveAt);
                best = Math.Min(best, NextDpdDeadline(sa) ?? long.MaxValue);
                foreach (Transaction.TransactionExchange tx in sa.Transactions.Values)
                {
                    best = Math.Min(best, tx.Flight.Deadline);
                }
            }

            if (sa.IsEstablished && sa.LifetimeSeconds > 0)
            {
                best = Math.Min(best, sa.EstablishedAt + (sa.LifetimeSeconds * 1000));
            }

            best = Math.Min(best, Math.Min(ChildLifecycleDeadline(sa), Phase1LifecycleDeadline(sa)));

            foreach (QuickModeExchange qm in sa.Exchanges.Values)
            {
                best = Math.Min(best, qm.State == QuickModeState.Done ? qm.DoneAt + Options.ReplyCacheMs : qm.Flight.Deadline);
            }

            best = Math.Min(best, Phase1MaterialReleaseAt(sa));
        }

        return best;
    }

    /// <summary>
    /// The fields of one ISAKMP SA a host's status row follows after Phase1Up (the peer's current endpoint, NAT state as
    /// <see cref="IkeSaStatus.Nat"/> words it, UDP encapsulation, Mode-Config addresses, the XAUTH user) without building
    /// an <see cref="IkeSaStatus"/>: nothing is allocated unless the SA has Mode-Config addresses. False when no such SA.
    /// </summary>
    public bool TryGetPeerState(ulong initiatorCookie, ulong responderCookie, out IPEndPoint? remote, out string? nat,
        out bool udpEncapsulated, out IReadOnlyList<IPAddress>? virtualIps, out string? xauthUser)
    {
        if (!_saByCookies.TryGetValue((initiatorCookie, responderCookie), out IkeSa? sa))
        {
            (remote, nat, udpEncapsulated, virtualIps, xauthUser) = (null, null, false, null, null);
            return false;
        }

        remote = sa.Remote;
        nat = sa.NatVersion == NatTraversal.NatTraversalVersion.None ? null
            : sa.NatLocalBehind && sa.NatRemoteBehind ? "both"
            : sa.NatLocalBehind ? "local"
            : sa.NatRemoteBehind ? "remote"
            : sa.Peer.ForceEncapsulation ? "forced" : "none";
        udpEncapsulated = sa.UdpEncapsulated;
        xauthUser = sa.XauthUser;
        bool received = sa.AssignedConfiguration is { Addresses.Count: > 0 } && sa.Peer.ModeConfig?.Role == ModeConfigRole.Client;
        if (sa.Leases.IsEmpty && !received)
        {
            virtualIps = null;
            return true;
        }

        List<IPAddress> vips = LeasedAddresses(sa);
        if (received)
        {
            vips.AddRange(sa.AssignedConfiguration!.Addresses);
        }

        virtualIps = vips;
        return true;
    }

    /// <summary>
    /// When an established SA's Phase 1 leftovers (last message, SAi_b, public values, ID bodies) go back to the
    /// pools: the reply cache time after establishment, once nothing awaits a reply (long.MaxValue: nothing held).
    /// </summary>
    private long Phase1MaterialReleaseAt(IkeSa sa) =>
        sa.IsEstablished && !sa.FlightAwaitingReply && sa.HoldsPhase1Material ? sa.EstablishedAt + Options.ReplyCacheMs : long.MaxValue;
}
