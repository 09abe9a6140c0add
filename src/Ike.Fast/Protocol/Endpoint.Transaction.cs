using System.Text;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Policy;
using Ike.Fast.Protocol.Transaction;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Transaction exchange (type 6, draft-ietf-ipsec-isakmp-mode-cfg §3.2) carrying XAUTH (draft-beaulieu-ike-xauth):
/// HDR*, HASH(1), ATTR with HASH = prf(SKEYID_a, M-ID | ATTR) in both directions (like Informational), each
/// exchange with its own IV chain from hash(last Phase 1 block | M-ID), the reply continuing the request's chain.
/// Server: REQUEST(USER_NAME, USER_PASSWORD) → REPLY; SET(STATUS) → ACK. Quick Mode waits for STATUS=1.
/// </summary>
public sealed partial class Endpoint
{
    private const int TransactionBufferSize = 1024;
    private const ushort XauthStatusOk = 1;
    private const ushort XauthStatusFail = 0;

    private enum TransactionBody
    {
        XauthRequest,
        XauthReply,
        XauthSet,
        XauthAck,
        ModeConfigRequest,
        ModeConfigAssign,
        ModeConfigAck,
    }

    /// <summary>Server: ask for the user name and password once Phase 1 is up.</summary>
    private void StartXauth(IkeSa sa, long now)
    {
        var tx = NewTransaction(sa, TransactionKind.XauthRequest);
        SendTransaction(now, sa, tx.MessageId, ref tx.Iv, tx.Flight, ConfigurationType.Request, tx.Identifier, TransactionBody.XauthRequest, 0, awaitingReply: true);
    }

    private TransactionExchange NewTransaction(IkeSa sa, TransactionKind kind)
    {
        uint mid = NewMessageId(sa);
        Span<byte> id = stackalloc byte[2];
        _random.Fill(id);
        var tx = new TransactionExchange { MessageId = mid, Kind = kind, Identifier = (ushort)((id[0] << 8) | id[1]) };
        tx.Iv.InitializePhase2(sa.Hash, sa.LastPhase1Block, mid);
        tx.Flight.Local = sa.Local;
        tx.Flight.Remote = sa.Remote;
        sa.AddTransaction(mid, tx);
        Schedule(sa);
        return tx;
    }

    /// <summary>Builds, hashes, encrypts (advancing <paramref name="iv"/>) and sends one Transaction message.</summary>
    private void SendTransaction(long now, IkeSa sa, uint mid, ref CbcIvChain iv, Flight? flight, ConfigurationType type, ushort identifier,
        TransactionBody body, ushort status, bool awaitingReply)
    {
        Span<byte> buf = flight is null ? _plain.AsSpan(0, TransactionBufferSize) : flight.Writable(TransactionBufferSize);
        var w = new IsakmpWriter(buf);
        int hashSize = IkeHashAlgorithmInfo.GetOutputSize(sa.Hash);
        w.WriteHeader(new IsakmpHeader(sa.InitiatorCookie, sa.ResponderCookie, PayloadType.None, ExchangeType.Transaction, IsakmpFlags.Encryption, mid));
        w.WriteHash(stackalloc byte[hashSize]);
        w.BeginAttributePayload(type, identifier);
        switch (body)
        {
            case TransactionBody.XauthRequest:
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.XauthUserName, default);
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.XauthUserPassword, default);
                break;
            case TransactionBody.XauthReply:
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.XauthUserName, Encoding.UTF8.GetBytes(sa.Peer.XauthUserName ?? ""));
                byte[] password = Encoding.UTF8.GetBytes(sa.Peer.XauthPassword ?? "");
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.XauthUserPassword, password);
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(password);
                break;
            case TransactionBody.XauthSet or TransactionBody.XauthAck:
                w.WriteBasicAttribute((ushort)ConfigurationAttributeType.XauthStatus, status);
                break;
            case TransactionBody.ModeConfigRequest:
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.InternalIp4Address, default);
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.InternalIp4Dns, default);
                w.WriteVariableAttribute((ushort)UnityAttributeType.SplitInclude, default);
                w.WriteVariableAttribute((ushort)UnityAttributeType.Banner, default);
                break;
            case TransactionBody.ModeConfigAssign:
                WriteModeConfigAttributes(ref w, sa);
                break;
            case TransactionBody.ModeConfigAck:
                w.WriteVariableAttribute((ushort)ConfigurationAttributeType.InternalIp4Address, default);
                break;
        }

        w.EndPayload();
        if (!w.TryFinish(out int length))
        {
            return;
        }

        int rest = IsakmpHeader.Size + GenericPayloadHeader.Size + hashSize;
        sa.Keys.ComputeInformationalHash(mid, buf[rest..length], buf.Slice(IsakmpHeader.Size + GenericPayloadHeader.Size, hashSize));
        length = PadAndEncrypt(buf, length, CipherOf(sa), iv.Current);
        if (flight is null)
        {
            sa.LastTransactionReply = (mid, buf[..length].ToArray());
            Send(sa.Local, sa.Remote, buf[..length]);
            return;
        }

        flight.Length = length;
        flight.Arm(now, Options.RetransmitInitialMs, awaitingReply);
        Schedule(sa);
        SendFlight(flight);
    }

    private void HandleTransaction(long now, IkeSa? sa, in IsakmpHeader h, ReadOnlySpan<byte> message)
    {
        if (sa is null || !sa.IsEstablished || !h.IsEncrypted || h.MessageId == 0)
        {
            Drop(DiagnosticCode.UnknownSa, sa, now, "Transaction exchange without an established ISAKMP SA");
            return;
        }

        sa.Transactions.TryGetValue(h.MessageId, out TransactionExchange? ours);
        if (ours is null && sa.LastTransactionReply.MessageId == h.MessageId && sa.LastTransactionReply.Datagram is { } cached &&
            sa.LastTransactionRequest?.IsRepeat(message) == true)
        {
            // A retransmitted request (the same bytes): our reply was lost. Resend it, no state change.
            Counters.Dropped++;
            Send(sa.Local, sa.Remote, cached);
            return;
        }

        if (ours is null && (sa.CompletedMessageIds.Contains(h.MessageId) || sa.Exchanges.ContainsKey(h.MessageId)))
        {
            Drop(DiagnosticCode.Duplicate, sa, now, $"Transaction {h.MessageId:x8} replayed");
            return;
        }

        CbcIvChain iv = default;
        if (ours is null)
        {
            iv.InitializePhase2(sa.Hash, sa.LastPhase1Block, h.MessageId);
        }

        Span<byte> nextIv = stackalloc byte[16];
        if (!TryDecrypt(CipherOf(sa), ours is null ? iv.Current : ours.Iv.Current, h, message, nextIv, out MessagePayloads m, out _) ||
            m.Hash.Start != GenericPayloadHeader.Size || (m.Present & ~(PayloadSet.Hash | PayloadSet.Attribute)) != 0 ||
            (m.Present & PayloadSet.Attribute) == 0)
        {
            iv.Clear();
            Drop(DiagnosticCode.DecryptionFailed, sa, now, $"Transaction {h.MessageId:x8} does not decrypt to HASH, ATTR");
            return;
        }

        ReadOnlySpan<byte> plain = _plain;
        if (!sa.Keys.VerifyInformationalHash(h.MessageId, plain[m.AfterFirst..m.ChainLength], plain.Slice(m.Hash.Start, m.Hash.Length)) ||
            !AttributePayload.TryRead(plain.Slice(m.Attribute.Start, m.Attribute.Length), 0, out AttributePayload attr, out _))
        {
            iv.Clear();
            Drop(DiagnosticCode.InvalidHash, sa, now, $"Transaction {h.MessageId:x8}: HASH does not verify", NotifyMessageType.InvalidHashInformation);
            return;
        }

        FollowPeerEndpoint(sa, now);
        if (ours is not null)
        {
            nextIv[..CipherOf(sa).BlockSize].CopyTo(ours.Iv.Current);
            sa.Transactions.Remove(h.MessageId);
            sa.CompletedMessageIds.Add(h.MessageId);
            ours.Dispose();
            OnTransactionReply(now, sa, ours, in attr);
            return;
        }

        nextIv[..CipherOf(sa).BlockSize].CopyTo(iv.Current);
        sa.CompletedMessageIds.Add(h.MessageId);
        (sa.LastTransactionRequest ??= new Flight()).RememberIncoming(message);
        OnTransactionRequest(now, sa, h.MessageId, ref iv, in attr);
        iv.Clear();
    }

    /// <summary>Client side: the server's REQUEST or SET, answered with the same M-ID and identifier.</summary>
    private void OnTransactionRequest(long now, IkeSa sa, uint mid, ref CbcIvChain iv, in AttributePayload attr)
    {
        bool xauth = HasAttribute(attr, ConfigurationAttributeType.XauthUserName) || HasAttribute(attr, ConfigurationAttributeType.XauthStatus);
        if (!xauth)
        {
            OnModeConfigRequest(now, sa, mid, ref iv, in attr);
            return;
        }

        if (sa.Peer.Xauth != XauthRole.Client)
        {
            Drop(DiagnosticCode.UnexpectedMessage, sa, now, $"Transaction {attr.Type} but XAUTH is not configured as client");
            return;
        }

        if (attr.Type == ConfigurationType.Request && HasAttribute(attr, ConfigurationAttributeType.XauthUserName))
        {
            SendTransaction(now, sa, mid, ref iv, null, ConfigurationType.Reply, attr.Identifier, TransactionBody.XauthReply, 0, false);
            return;
        }

        if (attr.Type == ConfigurationType.Set && TryGetBasic(attr, ConfigurationAttributeType.XauthStatus, out ushort status))
        {
            SendTransaction(now, sa, mid, ref iv, null, ConfigurationType.Acknowledge, attr.Identifier, TransactionBody.XauthAck, status, false);
            if (status == XauthStatusOk)
            {
                XauthSucceeded(sa, now);
            }
            else
            {
                Diagnose(DiagnosticCode.XauthFailed, sa, now, "XAUTH: the server refused our credentials");
                RemoveSa(sa, now, DiagnosticCode.XauthFailed, true);
            }

            return;
        }

        Drop(DiagnosticCode.Malformed, sa, now, $"Transaction {attr.Type} not understood");
    }

    /// <summary>Server side: REPLY to our REQUEST (check the credentials, SET the status) or ACK to our SET.</summary>
    private void OnTransactionReply(long now, IkeSa sa, TransactionExchange ours, in AttributePayload attr)
    {
        if (ours.Kind is TransactionKind.ModeConfigRequest or TransactionKind.ModeConfigSet)
        {
            OnModeConfigReply(now, sa, ours, in attr);
            return;
        }

        if (ours.Kind == TransactionKind.XauthRequest)
        {
            bool ok = false;
            string user = "";
            // The message ID already ties the REPLY to our REQUEST; strongSwan 5.9 answers with Identifier 0, so 0 is
            // accepted besides ours (draft-ietf-ipsec-isakmp-mode-cfg-05 §3.2 only asks the REPLY to echo it).
            if (attr.Type == ConfigurationType.Reply && (attr.Identifier == ours.Identifier || attr.Identifier == 0) &&
                TryGetVariable(attr, ConfigurationAttributeType.XauthUserName, out ReadOnlySpan<byte> userBytes) &&
                TryGetVariable(attr, ConfigurationAttributeType.XauthUserPassword, out ReadOnlySpan<byte> password))
            {
                user = Encoding.UTF8.GetString(userBytes);
                ok = Options.XauthBackend?.Verify(sa.Peer.Name, user, password) ?? false;
            }

            var set = NewTransaction(sa, TransactionKind.XauthStatus);
            set.Succeeded = ok;
            set.User = user;
            SendTransaction(now, sa, set.MessageId, ref set.Iv, set.Flight, ConfigurationType.Set, set.Identifier, TransactionBody.XauthSet,
                ok ? XauthStatusOk : XauthStatusFail, awaitingReply: true);
            return;
        }

        // ACK of our SET: XAUTH is over.
        if (ours.Succeeded)
        {
            sa.XauthUser = ours.User;
            XauthSucceeded(sa, now);
        }
        else
        {
            Diagnose(DiagnosticCode.XauthFailed, sa, now, $"XAUTH failed for user '{ours.User}'");
            DeleteIkeSa(sa.InitiatorCookie, sa.ResponderCookie, now, notifyPeer: true);
        }
    }

    private void XauthSucceeded(IkeSa sa, long now)
    {
        sa.XauthDone = true;
        Diagnose(DiagnosticCode.XauthSucceeded, sa, now, sa.Peer.Xauth == XauthRole.Server ? $"XAUTH user '{sa.XauthUser}' authenticated" : "XAUTH accepted");
        AfterExtendedAuthentication(sa, now);
    }

    /// <summary>Retransmits our Transaction requests; false when the SA was removed (XAUTH never answered).</summary>
    private bool RunTransactionTimers(IkeSa sa, long now)
    {
        foreach (TransactionExchange tx in sa.Transactions.Values)
        {
            Flight f = tx.Flight;
            if (!f.AwaitingReply || now < f.Deadline)
            {
                continue;
            }

            if (f.Attempts >= Options.RetransmitLimit)
            {
                Diagnose(DiagnosticCode.XauthFailed, sa, now, $"Transaction {tx.MessageId:x8} never answered");
                DeleteIkeSa(sa.InitiatorCookie, sa.ResponderCookie, now, notifyPeer: true);
                return false;
            }

            f.Attempts++;
            f.Interval *= 2;
            f.Deadline = now + f.Interval;
            SendFlight(f);
        }

        return true;
    }

    private static bool HasAttribute(in AttributePayload attr, ConfigurationAttributeType type)
    {
        DataAttributeReader r = attr.Attributes;
        while (r.TryReadNext(out DataAttribute a))
        {
            if (a.Type == (ushort)type)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryGetBasic(in AttributePayload attr, ConfigurationAttributeType type, out ushort value)
    {
        DataAttributeReader r = attr.Attributes;
        while (r.TryReadNext(out DataAttribute a))
        {
            if (a.Type == (ushort)type && a.IsBasic)
            {
                value = a.BasicValue;
                return true;
            }
        }

        value = 0;
        return false;
    }

    private static bool TryGetVariable(in AttributePayload attr, ConfigurationAttributeType type, out ReadOnlySpan<byte> value)
    {
        DataAttributeReader r = attr.Attributes;
        while (r.TryReadNext(out DataAttribute a))
        {
            if (a.Type == (ushort)type && !a.IsBasic)
            {
                value = a.VariableValue;
                return true;
            }
        }

        value = default;
        return false;
    }
}
