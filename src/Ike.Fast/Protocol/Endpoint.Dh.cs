using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Diffie-Hellman for every exchange (RFC 2409 §5 Phase 1 KE, §5.5 Quick Mode PFS), synchronous or deferred.
/// <para>
/// A synchronous engine (<see cref="IDhEngine.CanDefer"/> false) is called inline, as before. A deferring engine
/// (the batched one) gets <see cref="IDhEngine.Submit"/>: when it queues the request, the exchange is parked in a
/// <see cref="DhWait"/> and the handler returns; the engine posts the result to <see cref="DhCompletions"/> (from its
/// own thread), and the host drains that on the endpoint's thread with <see cref="HandleDhCompletions"/>, which runs the
/// parked handler again: this time the result is there. Nothing else changes thread, so the endpoint stays
/// single-threaded and sans-IO, and tests decide when (and in which order) results come back.
/// </para>
/// <para>
/// While parked, a repeat of the parked datagram is dropped (the DH runs once) and one later datagram of the exchange
/// is kept and handled after the resume. The Main Mode responder sends MM4 as soon as its own public value exists and
/// computes g^xy while MM4 is on the wire (isakmpd's order); only an MM5 that arrives before g^xy waits.
/// </para>
/// </summary>
public sealed partial class Endpoint
{
    private readonly DhCompletionQueue _dhCompletions = new();
    private readonly Dictionary<long, DhWait> _dhByToken = [];
    private readonly Dictionary<(IkeSa Sa, uint MessageId), DhWait> _dhByExchange = [];
    private readonly Stack<DhWait> _dhFree = new();
    private long _dhNextToken;

    /// <summary>The parked exchange whose handler is running again (its result is read instead of asked for).</summary>
    private DhWait? _dhResumed;

    /// <summary>Set by <see cref="ParkDh"/> when the resumed wait is parked once more.</summary>
    private bool _dhReparked;

    /// <summary>The wait <see cref="ParkDh"/> filled last (the caller adds resume details: child, offer).</summary>
    private DhWait? _dhLastParked;

    /// <summary>A key pair generated synchronously by the running handler: a later park of the same handler keeps it.</summary>
    private (IkeSa? Sa, uint MessageId, DhResume Resume, DhPrivateKey? Key, byte[] PublicValue) _dhLastKeyPair;

    /// <summary>
    /// Where a deferring <see cref="IDhEngine"/> posts its results (any thread). Set
    /// <see cref="DhCompletionQueue.Signal"/> to wake the host loop, then call <see cref="HandleDhCompletions"/>.
    /// </summary>
    public DhCompletionQueue DhCompletions => _dhCompletions;

    /// <summary>Diffie-Hellman operations submitted and not yet handed back (the engine's queue depth for this endpoint).</summary>
    public int PendingDhCount => _dhByToken.Count;

    /// <summary>
    /// Resumes the exchanges whose Diffie-Hellman results have arrived in <see cref="DhCompletions"/>, in arrival
    /// order, on the calling (the endpoint's) thread. Returns how many results were taken.
    /// </summary>
    public int HandleDhCompletions(long now)
    {
        int taken = 0;
        while (_dhCompletions.TryDequeue(out long token, out DhResult result))
        {
            taken++;
            if (!_dhByToken.Remove(token, out DhWait? wait))
            {
                result.PrivateKey?.Dispose(); // not ours (a stale token): never leave a private value behind
                continue;
            }

            wait.Completed = true;
            wait.Result = result;
            ResumeDh(now, wait);
        }

        FlushSchedule();
        return taken;
    }

    private void ResumeDh(long now, DhWait wait)
    {
        IkeSa? sa = wait.Sa;
        if (wait.Routed && sa is not null && _dhByExchange.TryGetValue((sa, wait.MessageId), out DhWait? routed) && ReferenceEquals(routed, wait))
        {
            _dhByExchange.Remove((sa, wait.MessageId));
        }

        if (sa is null || !IsLive(sa) || sa.State == Phase1State.Dead)
        {
            DiscardDh(wait);
            return;
        }

        _dhResumed = wait;
        _dhReparked = false;
        _rxLocal = wait.Local;
        _rxRemote = wait.Remote;
        try
        {
            ContinueAfterDh(now, sa, wait);
        }
        finally
        {
            _dhResumed = null;
        }

        if (_dhReparked)
        {
            return; // the same wait is parked again (its key pair was ready, g^xy is next)
        }

        if (wait.HasNext && IsLive(sa))
        {
            // The datagram that arrived while the operation was pending (an early MM5, a QM3): as if received now.
            _rxLocal = wait.NextLocal;
            _rxRemote = wait.NextRemote;
            HandleDatagram(now, wait.NextLocal!, wait.NextRemote!, wait.Next.AsSpan(0, wait.NextLength));
        }

        ReleaseDh(wait);
    }

    private void ContinueAfterDh(long now, IkeSa sa, DhWait wait)
    {
        switch (wait.Resume)
        {
            case DhResume.StartAggressive:
                SendAggressive1(sa, now);
                return;
            case DhResume.StartQuickMode:
                if (sa.IsEstablished)
                {
                    StartQuickMode(sa, wait.Child!, now, wait.Rekeying is { Live: true } rekeying ? rekeying : null);
                }

                return;
            case DhResume.ResponderKeys:
                FinishResponderKeys(now, sa);
                return;
        }

        ReadOnlySpan<byte> message = wait.ParkedMessage;
        if (!IsakmpMessageReader.TryCreate(message, IsakmpReadOptions.AllowTrailingBytes, out IsakmpMessageReader reader, out _))
        {
            return; // cannot happen: it parsed when it was parked
        }

        IsakmpHeader h = reader.Header;
        message = reader.Message;
        switch (wait.Resume)
        {
            case DhResume.Phase1Message:
                DispatchPhase1(now, sa, h, message); // without the repeat check: the parked message was remembered
                break;
            case DhResume.Aggressive1:
                if (!sa.IsInitiator && sa.State == default && TryParseClear(h, message, out MessagePayloads m))
                {
                    RespondAggressive(now, sa, message, in m, message.Slice(m.Sa.Start, m.Sa.Length), in wait.Offer);
                }

                break;
            case DhResume.QuickMode1:
                if (sa.IsEstablished && !sa.Exchanges.ContainsKey(h.MessageId))
                {
                    OnQuickMode1(now, sa, h, message);
                }

                break;
            case DhResume.QuickMode2:
                if (sa.Exchanges.TryGetValue(h.MessageId, out QuickModeExchange? qm) && qm.IsInitiator && qm.State == QuickModeState.InitiatorSentSa)
                {
                    OnQuickMode2(now, sa, qm, h, message);
                }

                break;
        }
    }

    /// <summary>MM4 is out; g^xy has arrived: SKEYID and the rest (RFC 2409 §5), then any MM5 that came early.</summary>
    private void FinishResponderKeys(long now, IkeSa sa)
    {
        if (sa.State != Phase1State.MainResponderSentKe || sa.HasKeys || sa.DhKey is null)
        {
            return;
        }

        if (KeyExchange(now, sa, sa.Gxi, default, DhResume.ResponderKeys) == DhStep.Ready)
        {
            TryDeriveKeys(now, sa, null);
        }
    }

    /// <summary>
    /// A datagram for an exchange parked on DH: a repeat of the parked message is dropped (one DH per exchange), a
    /// repeat of the message MM4 answered gets MM4 again, anything else waits (one slot) for the resume.
    /// </summary>
    private bool RouteToParkedDh(IkeSa sa, uint messageId, ReadOnlySpan<byte> message, long now)
    {
        if (_dhByExchange.Count == 0 || !_dhByExchange.TryGetValue((sa, messageId), out DhWait? wait))
        {
            return false;
        }

        if (wait.Resume == DhResume.ResponderKeys)
        {
            if (RepeatOrDrop(sa, sa.Flight, message, now, requester: false, dropIfNew: false))
            {
                return true;
            }
        }
        else if (message.SequenceEqual(wait.ParkedMessage))
        {
            Counters.Count(DiagnosticCode.Retransmission);
            Drop(DiagnosticCode.Duplicate, sa, now, "retransmission while Diffie-Hellman is pending");
            return true;
        }

        if (wait.HasNext)
        {
            Drop(DiagnosticCode.Duplicate, sa, now, "second datagram while Diffie-Hellman is pending");
            return true;
        }

        wait.StoreNext(message, _rxLocal, _rxRemote);
        return true;
    }

    /// <summary>The SA is going: its pending operations are orphaned (their results are wiped and dropped on arrival).</summary>
    private void CancelDh(IkeSa sa)
    {
        if (_dhByToken.Count == 0)
        {
            return;
        }

        foreach (DhWait wait in _dhByToken.Values)
        {
            if (ReferenceEquals(wait.Sa, sa))
            {
                if (wait.Routed)
                {
                    _dhByExchange.Remove((sa, wait.MessageId));
                }

                wait.Sa = null;
            }
        }
    }

    /// <summary>Generates our DH key pair (RFC 2409 §5 KE); <see cref="DhStep.Failed"/> is a local configuration problem.</summary>
    private DhStep GenerateDh(IkeSa sa, uint messageId, DhGroupId group, ReadOnlySpan<byte> message, DhResume resume,
        out DhPrivateKey? key, out byte[] publicValue)
    {
        DhWait? resumed = ResumedDh(sa, messageId, resume);
        if (resumed is not null)
        {
            if (resumed.Key is not null)
            {
                key = resumed.Key;
                publicValue = resumed.PublicValue;
                return DhStep.Ready;
            }

            if (resumed.Completed && resumed.Operation == DhOperation.GenerateKeyPair)
            {
                resumed.Completed = false;
                key = resumed.Result.IsSuccess ? resumed.Result.PrivateKey : null;
                publicValue = key is null ? [] : resumed.KeyDestination!;
                resumed.Key = key;
                resumed.PublicValue = publicValue;
                return key is null ? DhStep.Failed : DhStep.Ready;
            }
        }

        key = null;
        if (!DhGroupRegistry.TryGet(group, out DhGroup? g))
        {
            publicValue = [];
            return DhStep.Failed;
        }

        publicValue = _bytes.Rent(g.PublicValueLength);
        DhRequest request = DhRequest.GenerateKeyPair(group, publicValue);
        DhResult r;
        if (!_dh.CanDefer)
        {
            r = _dh.Execute(request);
        }
        else
        {
            long token = ++_dhNextToken;
            if (!_dh.Submit(request, _dhCompletions, token, out r))
            {
                DhWait wait = ParkDh(resumed, sa, messageId, message, resume, token, DhOperation.GenerateKeyPair);
                // The engine writes the public value later, from its own thread: the array belongs to the wait (not
                // to the SA, whose pooled arrays are returned when it dies) until the handler resumes with it.
                wait.KeyDestination = publicValue;
                publicValue = [];
                return DhStep.Pending;
            }
        }

        key = r.IsSuccess ? r.PrivateKey : null;
        if (key is null)
        {
            return DhStep.Failed;
        }

        if (resumed is not null)
        {
            resumed.Key = key;
            resumed.PublicValue = publicValue;
        }
        else if (_dh.CanDefer)
        {
            _dhLastKeyPair = (sa, messageId, resume, key, publicValue);
        }

        return DhStep.Ready;
    }

    /// <summary>g^xy into the pinned scratch <see cref="_shared"/> (the caller wipes it after use).</summary>
    private DhStep ComputeShared(IkeSa sa, uint messageId, DhPrivateKey key, byte[] peerPublic, ReadOnlySpan<byte> message,
        DhResume resume, out DhStatus status, out int length)
    {
        DhWait? resumed = ResumedDh(sa, messageId, resume);
        if (resumed is { Completed: true, Operation: DhOperation.ComputeShared })
        {
            resumed.Completed = false;
            status = resumed.Result.Status;
            length = resumed.Result.BytesWritten;
            if (status == DhStatus.Success)
            {
                resumed.Shared.AsSpan(0, length).CopyTo(_shared);
            }

            System.Security.Cryptography.CryptographicOperations.ZeroMemory(resumed.Shared);
            return status == DhStatus.Success ? DhStep.Ready : DhStep.Failed;
        }

        DhResult r;
        if (!_dh.CanDefer)
        {
            r = _dh.Execute(DhRequest.ComputeShared(key, peerPublic, _shared));
        }
        else
        {
            // The destination must outlive this call if the engine queues the request: a wait's pinned buffer.
            DhWait wait = resumed ?? RentDh();
            long token = ++_dhNextToken;
            if (!_dh.Submit(DhRequest.ComputeShared(key, peerPublic, wait.Shared), _dhCompletions, token, out r))
            {
                ParkDh(wait, sa, messageId, message, resume, token, DhOperation.ComputeShared);
                status = DhStatus.Success;
                length = 0;
                return DhStep.Pending;
            }

            if (r.IsSuccess)
            {
                wait.Shared.AsSpan(0, r.BytesWritten).CopyTo(_shared);
            }

            System.Security.Cryptography.CryptographicOperations.ZeroMemory(wait.Shared);
            if (resumed is null)
            {
                ReturnDh(wait);
            }
        }

        status = r.Status;
        length = r.BytesWritten;
        return r.IsSuccess ? DhStep.Ready : DhStep.Failed;
    }

    /// <summary>
    /// g^xy from our key and the peer's KE; INVALID-KEY-INFORMATION on a bad value (RFC 2408 §3.14.1), which removes
    /// the SA.
    /// </summary>
    private DhStep KeyExchange(long now, IkeSa sa, byte[] peerPublic, ReadOnlySpan<byte> message, DhResume resume)
    {
        DhStep step = ComputeShared(sa, 0, sa.DhKey!, peerPublic, message, resume, out DhStatus status, out int length);
        if (step == DhStep.Ready)
        {
            sa.SharedLength = checked((ushort)length);
        }
        else if (step == DhStep.Failed)
        {
            Drop(DiagnosticCode.InvalidKeyInformation, sa, now, $"peer KE rejected: {status}", NotifyMessageType.InvalidKeyInformation);
            SendUnprotectedNotify(sa.Local, sa.Remote, sa.InitiatorCookie, sa.ResponderCookie, NotifyMessageType.InvalidKeyInformation);
            RemoveSa(sa, now, DiagnosticCode.InvalidKeyInformation, false);
        }

        return step;
    }

    private DhWait? ResumedDh(IkeSa sa, uint messageId, DhResume resume) =>
        _dhResumed is { } w && ReferenceEquals(w.Sa, sa) && w.MessageId == messageId && w.Resume == resume ? w : null;

    private DhWait ParkDh(DhWait? wait, IkeSa sa, uint messageId, ReadOnlySpan<byte> message, DhResume resume, long token, DhOperation operation)
    {
        wait ??= RentDh();
        if (ReferenceEquals(wait, _dhResumed))
        {
            _dhReparked = true;
        }
        else
        {
            if (!message.IsEmpty)
            {
                wait.Store(message);
            }

            wait.Local = _rxLocal;
            wait.Remote = _rxRemote;
        }

        wait.Sa = sa;
        wait.MessageId = messageId;
        wait.Resume = resume;
        wait.Token = token;
        wait.Operation = operation;
        wait.Completed = false;
        (IkeSa? lastSa, uint lastId, DhResume lastResume, DhPrivateKey? lastKey, byte[] lastPublic) = _dhLastKeyPair;
        if (wait.Key is null && lastKey is not null && ReferenceEquals(lastSa, sa) && lastId == messageId && lastResume == resume)
        {
            wait.Key = lastKey; // generated by this handler run: the replay must use the same pair
            wait.PublicValue = lastPublic;
        }

        _dhLastKeyPair = default;
        _dhByToken[token] = wait;
        wait.Routed = resume != DhResume.StartQuickMode;
        if (wait.Routed)
        {
            _dhByExchange[(sa, messageId)] = wait;
        }

        _dhLastParked = wait;
        return wait;
    }

    private DhWait RentDh() => _dhFree.TryPop(out DhWait? w) ? w : new DhWait();

    private void ReturnDh(DhWait wait)
    {
        wait.Reset();
        _dhFree.Push(wait);
    }

    /// <summary>The resumed handler is done with the wait: the key pair belongs to its SA or exchange now.</summary>
    private void ReleaseDh(DhWait wait)
    {
        if (wait.Completed)
        {
            // A result nobody read (the handler failed first): never leave a private value behind.
            wait.Result.PrivateKey?.Dispose();
        }

        ReturnDh(wait);
    }

    /// <summary>The SA went away while the operation ran: wipe what came back.</summary>
    private void DiscardDh(DhWait wait)
    {
        wait.Result.PrivateKey?.Dispose();
        wait.Key?.Dispose();
        ReturnDh(wait);
    }

    /// <summary>
    /// A pooled copy of <paramref name="source"/> in place of <paramref name="old"/> (returned to the pool): a handler
    /// that parked for DH runs again from the top on resume and copies its payloads once more.
    /// </summary>
    private byte[] Recopy(byte[]? old, ReadOnlySpan<byte> source)
    {
        _bytes.Return(old);
        return _bytes.Copy(source);
    }
}
