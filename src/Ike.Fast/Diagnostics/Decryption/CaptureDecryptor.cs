using System.Buffers.Binary;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Wire;
using CryptoCipher = Ike.Fast.Crypto.IkeEncryptionAlgorithm;
using CryptoHash = Ike.Fast.Crypto.IkeHashAlgorithm;

namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// Decrypts the IKEv1 messages of a capture from the secrets of <see cref="SecretsFile"/> (the pre-shared key or
/// SKEYID, and g^xy). Every ISAKMP message of the capture goes through <see cref="Process"/> in capture order;
/// the unencrypted ones feed the RFC 2409 section 5 inputs (SAi_b, the responder's transform, KE values, nonces,
/// AM identities); once they and the secrets are known the keys are derived (<see cref="Phase1KeyMaterial"/>) and
/// each encrypted message is decrypted with its exchange's CBC chain (Appendix B). HASH_I/HASH_R (pre-shared key;
/// RSA signatures against a CERT of the same message), Quick Mode HASH(1)/(2)/(3) and Informational/Transaction
/// HASH(1) are checked. Bad input (wrong key, damaged message, missing secret) never throws: the message is
/// reported undecrypted, or decrypted to garbage with a failed hash check.
/// </summary>
public sealed class CaptureDecryptor : IDisposable
{
    private readonly IReadOnlyList<Phase1Secrets> _secrets;
    private readonly Dictionary<ulong, IkeSaState> _sas = [];
    private readonly List<KeymatRecord> _keymats = [];
    private readonly List<KeymatRecord> _pendingKeymats = [];
    private byte[] _plaintext = new byte[2048];

    /// <summary>Creates a decryptor for the Phase 1s in <paramref name="secrets"/>.</summary>
    public CaptureDecryptor(IReadOnlyList<Phase1Secrets> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = secrets;
    }

    /// <summary>When set, every decryption is appended (IV and plaintext included: for tests and debugging).</summary>
    public List<DecryptionRecord>? History { get; set; }

    /// <summary>Also derive the Quick Mode KEYMAT (<see cref="Keymats"/>). Off by default: they are secrets.</summary>
    public bool DeriveKeymat { get; init; }

    /// <summary>Messages decrypted.</summary>
    public int Decrypted { get; private set; }

    /// <summary>Decrypted messages whose hash or signature did not verify (and a failed clear-text Aggressive Mode HASH_R).</summary>
    public int HashFailures { get; private set; }

    /// <summary>Aggressive Mode HASH_Rs, sent in the clear in message 2, that verified (RFC 2409 section 5).</summary>
    public int ClearHashesVerified { get; private set; }

    /// <summary>The Phase 1s whose keys were derived, in the order they were.</summary>
    public IReadOnlyList<DerivedPhase1> Phase1s => [.. _sas.Values.Where(s => s.Derived is not null).Select(s => s.Derived!)];

    /// <summary>Every KEYMAT derived so far (only with <see cref="DeriveKeymat"/>).</summary>
    public IReadOnlyList<KeymatRecord> Keymats => _keymats;

    /// <summary>Problems that kept a Phase 1 from being decrypted (unsupported proposal, unusable secret), one per SA.</summary>
    public IEnumerable<string> Problems => _sas.Values.Where(s => s.KeyProblem is not null)
        .Select(s => $"{s.InitiatorCookie:x16}: {s.KeyProblem}");

    /// <summary>KEYMATs derived since the last call (the inspector prints them after the message that completed them).</summary>
    public IReadOnlyList<KeymatRecord> TakeNewKeymats()
    {
        if (_pendingKeymats.Count == 0)
        {
            return [];
        }

        KeymatRecord[] taken = [.. _pendingKeymats];
        _pendingKeymats.Clear();
        return taken;
    }

    /// <summary>
    /// Observes one ISAKMP message (non-ESP marker stripped; reassembled fragments as the whole message).
    /// <paramref name="source"/> is "address:port" when known (it tells initiator from responder). True when the
    /// message was encrypted and has been decrypted: <paramref name="plaintext"/> is the whole decrypted body
    /// (valid until the next call) and <paramref name="hashVerified"/> the result of its HASH/SIG check (null when
    /// it carries none or it cannot be checked).
    /// </summary>
    public bool Process(ReadOnlySpan<byte> message, string? source, int? frame, out ReadOnlySpan<byte> plaintext, out bool? hashVerified)
    {
        plaintext = default;
        hashVerified = null;
        if (!IsakmpMessageReader.TryCreate(message, IsakmpReadOptions.AllowTrailingBytes, out IsakmpMessageReader reader, out _))
        {
            return false;
        }

        IsakmpHeader header = reader.Header;
        IkeSaState state = GetState(header, source);
        if (!header.IsEncrypted)
        {
            if (header.MessageId == 0 && header.ExchangeType is ExchangeType.IdentityProtection or ExchangeType.Aggressive)
            {
                LearnPhase1(state, ref reader, source);
                TryDeriveKeys(state);
                CheckAggressiveHashR(state);
            }

            return false;
        }

        if (!state.HasKeys || state.Cipher is not IkeCbcCipher cipher)
        {
            return false;
        }

        ReadOnlySpan<byte> ciphertext = reader.Body;
        int blockSize = cipher.BlockSize;
        if (ciphertext.Length == 0 || ciphertext.Length % blockSize != 0)
        {
            return false; // not whole cipher blocks: nothing sensible to decrypt
        }

        ExchangeState? exchange = GetExchange(state, header.MessageId);
        if (exchange is null)
        {
            return false; // Phase 2 before any Phase 1 block was seen: no IV seed
        }

        ReadOnlySpan<byte> lastBlock = ciphertext[^blockSize..];
        byte[] iv;
        int index;
        bool retransmission = exchange.TryFindRetransmission(lastBlock, out iv, out index);
        if (!retransmission)
        {
            iv = exchange.Chain.Current.ToArray();
            index = exchange.Messages++;
            exchange.Remember(lastBlock, iv, index);
        }

        if (_plaintext.Length < ciphertext.Length)
        {
            _plaintext = new byte[Math.Max(ciphertext.Length, _plaintext.Length * 2)];
        }

        Span<byte> output = _plaintext.AsSpan(0, ciphertext.Length);
        Span<byte> workingIv = stackalloc byte[16];
        iv.CopyTo(workingIv);
        if (!cipher.TryDecrypt(ciphertext, workingIv[..blockSize], output))
        {
            return false;
        }

        if (!retransmission)
        {
            exchange.Chain.Current.Clear();
            workingIv[..blockSize].CopyTo(exchange.Chain.Current); // next IV = this message's last ciphertext block
        }

        if (header.MessageId == 0 && !retransmission)
        {
            state.LastPhase1Block = lastBlock.ToArray();
            state.Derived!.LastPhase1Block = state.LastPhase1Block;
        }

        hashVerified = header.ExchangeType switch
        {
            ExchangeType.IdentityProtection or ExchangeType.Aggressive when header.MessageId == 0 =>
                CheckPhase1(state, header, output, source, index),
            ExchangeType.QuickMode => CheckQuickMode(state, exchange, header, output, index),
            ExchangeType.Informational or ExchangeType.Transaction => CheckInformational(state, header, output),
            _ => null,
        };

        Decrypted++;
        if (hashVerified == false)
        {
            HashFailures++;
        }

        History?.Add(new DecryptionRecord(frame, header.InitiatorCookie, header.MessageId, iv, output.ToArray(), hashVerified));
        plaintext = output;
        return true;
    }

    /// <summary>Zeroes every derived key.</summary>
    public void Dispose()
    {
        foreach (IkeSaState state in _sas.Values)
        {
            state.Dispose();
        }

        _sas.Clear();
        Array.Clear(_plaintext);
    }

    private IkeSaState GetState(in IsakmpHeader header, string? source)
    {
        if (!_sas.TryGetValue(header.InitiatorCookie, out IkeSaState? state))
        {
            state = new IkeSaState(header.InitiatorCookie);
            _sas.Add(header.InitiatorCookie, state);
            if (header.ResponderCookie == 0)
            {
                state.InitiatorEndpoint = source; // the first message of a Phase 1 comes from the initiator
            }
        }

        if (state.ResponderCookie == 0 && header.ResponderCookie != 0)
        {
            state.ResponderCookie = header.ResponderCookie;
        }

        if (state.Secrets is null || state.Secrets.ResponderCookie is null)
        {
            state.Secrets = FindSecrets(state.InitiatorCookie, state.ResponderCookie) ?? state.Secrets;
        }

        return state;
    }

    private Phase1Secrets? FindSecrets(ulong initiatorCookie, ulong responderCookie)
    {
        Phase1Secrets? loose = null;
        foreach (Phase1Secrets secrets in _secrets)
        {
            if (BinaryPrimitives.ReadUInt64BigEndian(secrets.InitiatorCookie) != initiatorCookie)
            {
                continue;
            }

            if (secrets.ResponderCookie is null)
            {
                loose ??= secrets;
            }
            else if (BinaryPrimitives.ReadUInt64BigEndian(secrets.ResponderCookie) == responderCookie)
            {
                return secrets;
            }
        }

        return loose;
    }

    /// <summary>
    /// True when <paramref name="source"/> is the initiator, null when the capture does not say (hex input):
    /// callers then fall back on the order of the exchange. Only the address counts: NAT-T moves both peers from
    /// port 500 to 4500 at Main Mode message 5 (RFC 3947 section 4).
    /// </summary>
    private static bool? FromInitiator(IkeSaState state, string? source) =>
        state.InitiatorEndpoint is not null && source is not null
            ? HostPart(source).SequenceEqual(HostPart(state.InitiatorEndpoint))
            : null;

    /// <summary>"a.b.c.d" of "a.b.c.d:port", "[v6]" of "[v6]:port" (<see cref="EndpointText"/>).</summary>
    private static ReadOnlySpan<char> HostPart(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        return colon < 0 ? endpoint : endpoint.AsSpan(0, colon);
    }

    /// <summary>Reads the RFC 2409 section 5 inputs of Main Mode messages 1-4 and Aggressive Mode messages 1-2.</summary>
    private static void LearnPhase1(IkeSaState state, ref IsakmpMessageReader reader, string? source)
    {
        state.Mode = reader.Header.ExchangeType;
        // Without addresses: a message without the responder cookie is the initiator's first (MM1/AM1); the rest
        // fall back on the order of the values.
        bool? fromInitiator = FromInitiator(state, source) ?? (reader.Header.ResponderCookie == 0 ? true : null);
        while (reader.TryReadNext(out RawPayload payload))
        {
            ReadOnlySpan<byte> body = payload.Body;
            switch (payload.Type)
            {
                case PayloadType.SecurityAssociation:
                    // The initiator offers (SAi_b is its whole body); the responder answers with one transform
                    // (often byte-identical to a single-transform offer, so equality says nothing).
                    if (fromInitiator ?? state.SaiB is null)
                    {
                        state.SaiB ??= body.ToArray();
                    }
                    else
                    {
                        state.Proposal ??= NegotiatedPhase1.TryRead(body);
                    }

                    break;
                case PayloadType.KeyExchange:
                    if (KeyExchangePayload.TryRead(body, payload.BodyOffset, out KeyExchangePayload ke, out _))
                    {
                        Assign(ke.KeyExchangeData, fromInitiator, state.Gxi, v => state.Gxi = v, v => state.Gxr ??= v);
                    }

                    break;
                case PayloadType.Nonce:
                    if (NoncePayload.TryRead(body, payload.BodyOffset, out NoncePayload nonce, out _))
                    {
                        Assign(nonce.NonceData, fromInitiator, state.NiB, v => state.NiB = v, v => state.NrB ??= v);
                    }

                    break;
                case PayloadType.Identification:
                    // Aggressive Mode sends the identities in the clear; IDii_b/IDir_b are the whole bodies.
                    Assign(body, fromInitiator, state.IdiiB, v => state.IdiiB = v, v => state.IdirB ??= v);
                    break;
                case PayloadType.Hash when fromInitiator != true:
                    state.ClearHashR ??= body.ToArray(); // Aggressive Mode message 2
                    break;
            }
        }
    }

    /// <summary>Stores an initiator value (first seen, or known by address) or else the responder's.</summary>
    private static void Assign(ReadOnlySpan<byte> value, bool? fromInitiator, byte[]? initiatorValue, Action<byte[]> setInitiator, Action<byte[]> setResponder)
    {
        bool initiator = fromInitiator ?? (initiatorValue is null || value.SequenceEqual(initiatorValue));
        if (initiator)
        {
            if (initiatorValue is null)
            {
                setInitiator(value.ToArray());
            }
        }
        else
        {
            setResponder(value.ToArray());
        }
    }

    private static void TryDeriveKeys(IkeSaState state)
    {
        if (state.HasKeys || state.KeyProblem is not null || state.Secrets is not Phase1Secrets secrets
            || state.Proposal is not NegotiatedPhase1 proposal || state.Gxi is null || state.Gxr is null
            || state.NiB is null || state.NrB is null || state.ResponderCookie == 0)
        {
            return;
        }

        if (proposal.HasPrf)
        {
            state.KeyProblem = "a PRF attribute was negotiated; only the HMAC of the hash is supported";
            return;
        }

        var hash = (CryptoHash)(int)proposal.Hash;
        if (!IkeHashAlgorithmInfo.IsSupported(hash))
        {
            state.KeyProblem = $"hash {proposal.Hash} not supported";
            return;
        }

        CipherSelectionError selection = IkeCbcCipher.TryCreate((CryptoCipher)(int)proposal.Encryption, proposal.KeyLengthBits, out IkeCbcCipher? cipher);
        if (selection != CipherSelectionError.None || cipher is null)
        {
            state.KeyProblem = $"cipher {proposal.Encryption} (key length {proposal.KeyLengthBits}): {selection}";
            return;
        }

        Span<byte> ckyI = stackalloc byte[8];
        Span<byte> ckyR = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(ckyI, state.InitiatorCookie);
        BinaryPrimitives.WriteUInt64BigEndian(ckyR, state.ResponderCookie);
        int prfSize = IkeHashAlgorithmInfo.GetOutputSize(hash);
        Phase1KeyMaterial keys;
        if (proposal.IsPreSharedKey && secrets.PreSharedKey is byte[] psk)
        {
            if (state.NiB.Length + state.NrB.Length > 512)
            {
                state.KeyProblem = "nonces longer than RFC 2408 allows";
                cipher.Dispose();
                return;
            }

            keys = Phase1KeyMaterial.DerivePreSharedKey(hash, cipher.KeySize, cipher.BlockSize, psk, state.NiB, state.NrB,
                secrets.SharedSecret, ckyI, ckyR, state.Gxi, state.Gxr);
        }
        else if (secrets.Skeyid is byte[] skeyid)
        {
            if (skeyid.Length != prfSize)
            {
                state.KeyProblem = $"skeyid is {skeyid.Length} bytes, the PRF gives {prfSize}";
                cipher.Dispose();
                return;
            }

            keys = Phase1KeyMaterial.DeriveFromSkeyid(hash, cipher.KeySize, cipher.BlockSize, skeyid, secrets.SharedSecret,
                ckyI, ckyR, state.Gxi, state.Gxr);
        }
        else if (proposal.IsSignature && state.NiB.Length + state.NrB.Length <= 512)
        {
            // Signature SKEYID needs no long-term secret: prf(Ni_b | Nr_b, g^xy).
            keys = Phase1KeyMaterial.DeriveSignature(hash, cipher.KeySize, cipher.BlockSize, state.NiB, state.NrB,
                secrets.SharedSecret, ckyI, ckyR, state.Gxi, state.Gxr);
        }
        else
        {
            state.KeyProblem = $"authentication {proposal.AuthenticationMethod} needs psk/psk_hex or skeyid in the secrets";
            cipher.Dispose();
            return;
        }

        if (!cipher.TrySetKey(keys.EncryptionKey))
        {
            state.KeyProblem = "the derived key is a weak 3DES key";
            keys.Dispose();
            cipher.Dispose();
            return;
        }

        var derived = new DerivedPhase1(state.InitiatorCookie, state.ResponderCookie, proposal.ToString(),
            keys.EncryptionKey.ToArray(), keys.InitialIv.ToArray());
        state.SetKeys(keys, cipher, derived);
    }

    /// <summary>Checks the responder's HASH_R of Aggressive Mode message 2 once the keys exist (pre-shared key only).</summary>
    private void CheckAggressiveHashR(IkeSaState state)
    {
        if (!state.HasKeys || state.ClearHashR is not byte[] received || state.Proposal is not { IsPreSharedKey: true }
            || state.IdirB is null || state.SaiB is null || state.Gxi is null || state.Gxr is null)
        {
            return;
        }

        state.ClearHashR = null; // once
        Span<byte> ckyI = stackalloc byte[8];
        Span<byte> ckyR = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(ckyI, state.InitiatorCookie);
        BinaryPrimitives.WriteUInt64BigEndian(ckyR, state.ResponderCookie);
        if (state.Keys.VerifyHashR(state.Gxi, state.Gxr, ckyI, ckyR, state.SaiB, state.IdirB, received))
        {
            ClearHashesVerified++;
        }
        else
        {
            HashFailures++;
        }
    }

    private static ExchangeState? GetExchange(IkeSaState state, uint messageId)
    {
        if (state.Exchanges.TryGetValue(messageId, out ExchangeState? exchange))
        {
            return exchange;
        }

        exchange = new ExchangeState();
        if (messageId == 0)
        {
            exchange.Chain.Initialize(state.Keys.InitialIv);
        }
        else if (state.LastPhase1Block is byte[] seed)
        {
            exchange.Chain.InitializePhase2(state.Keys.Hash, seed, messageId);
        }
        else
        {
            return null;
        }

        state.Exchanges.Add(messageId, exchange);
        return exchange;
    }

    /// <summary>HASH_I / HASH_R (pre-shared key) or SIG_I / SIG_R (signatures) of Main Mode 5/6 or Aggressive Mode 3.</summary>
    private static bool? CheckPhase1(IkeSaState state, in IsakmpHeader header, ReadOnlySpan<byte> plaintext, string? source, int index)
    {
        // Main Mode: the first encrypted message is the initiator's (MM5), the second the responder's (MM6);
        // Aggressive Mode encrypts only the initiator's AM3.
        bool initiator = FromInitiator(state, source)
            ?? (state.Mode == ExchangeType.Aggressive || index == 0);
        ReadOnlySpan<byte> hash = default, signature = default, certificate = default;
        bool hasHash = false, hasSignature = false;
        PayloadChainReader chain = PayloadChainReader.ForDecryptedBody(plaintext, header.NextPayload);
        while (chain.TryReadNext(out RawPayload payload))
        {
            switch (payload.Type)
            {
                case PayloadType.Identification:
                    if (initiator)
                    {
                        state.IdiiB = payload.Body.ToArray();
                    }
                    else
                    {
                        state.IdirB = payload.Body.ToArray();
                    }

                    break;
                case PayloadType.Hash:
                    hash = payload.Body;
                    hasHash = true;
                    break;
                case PayloadType.Signature:
                    signature = payload.Body;
                    hasSignature = true;
                    break;
                case PayloadType.Certificate:
                    if (certificate.IsEmpty && CertificatePayload.TryRead(payload.Body, payload.BodyOffset, out CertificatePayload cert, out _)
                        && cert.Encoding == CertificateEncoding.X509Signature)
                    {
                        certificate = cert.Data;
                    }

                    break;
            }
        }

        if (chain.Fault.IsError || !(hasHash || hasSignature))
        {
            return false; // garbage (wrong key) or no authenticator where RFC 2409 section 5 requires one
        }

        byte[]? id = initiator ? state.IdiiB : state.IdirB;
        if (id is null || state.SaiB is null || state.Gxi is null || state.Gxr is null)
        {
            return null;
        }

        Span<byte> ckyI = stackalloc byte[8];
        Span<byte> ckyR = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(ckyI, state.InitiatorCookie);
        BinaryPrimitives.WriteUInt64BigEndian(ckyR, state.ResponderCookie);
        Span<byte> expected = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int size = initiator
            ? state.Keys.ComputeHashI(state.Gxi, state.Gxr, ckyI, ckyR, state.SaiB, id, expected)
            : state.Keys.ComputeHashR(state.Gxi, state.Gxr, ckyI, ckyR, state.SaiB, id, expected);
        if (hasHash)
        {
            return hash.SequenceEqual(expected[..size]);
        }

        // Signatures: checkable only against a certificate sent along (no trust anchors here).
        return certificate.IsEmpty ? null : SignatureCheck.VerifyRsa(certificate, expected[..size], signature);
    }

    /// <summary>Quick Mode HASH(1), HASH(2), HASH(3) (RFC 2409 section 5.5), by position in the exchange.</summary>
    private bool? CheckQuickMode(IkeSaState state, ExchangeState exchange, in IsakmpHeader header, ReadOnlySpan<byte> plaintext, int index)
    {
        if (!TryReadLeadingHash(plaintext, header.NextPayload, out ReadOnlySpan<byte> received, out ReadOnlySpan<byte> rest))
        {
            return false;
        }

        LearnQuickMode(exchange, header.NextPayload, plaintext, index);
        uint messageId = header.MessageId;
        switch (index)
        {
            case 0:
                return state.Keys.VerifyQuickModeHash1(messageId, rest, received);
            case 1:
                bool? verified = exchange.NiB is null ? null : state.Keys.VerifyQuickModeHash2(messageId, exchange.NiB, rest, received);
                if (DeriveKeymat && !exchange.KeymatDone)
                {
                    exchange.KeymatDone = true;
                    AddKeymats(state, exchange, messageId);
                }

                return verified;
            case 2:
                return exchange.NiB is null || exchange.NrB is null
                    ? null
                    : state.Keys.VerifyQuickModeHash3(messageId, exchange.NiB, exchange.NrB, received);
            default:
                return null; // HASH(4) of the commit-bit CONNECTED notify is not checked
        }
    }

    /// <summary>Informational HASH(1) = prf(SKEYID_a, M-ID | N/D) (RFC 2409 section 5.7); Transaction (mode config) likewise.</summary>
    private static bool? CheckInformational(IkeSaState state, in IsakmpHeader header, ReadOnlySpan<byte> plaintext) =>
        TryReadLeadingHash(plaintext, header.NextPayload, out ReadOnlySpan<byte> received, out ReadOnlySpan<byte> rest)
            ? state.Keys.VerifyInformationalHash(header.MessageId, rest, received)
            : false;

    /// <summary>
    /// The HASH payload that must come first (RFC 2409 sections 5.5, 5.7) and the payloads after it up to the
    /// padding ("rest", generic headers included). False when the chain does not parse or does not start with HASH.
    /// </summary>
    private static bool TryReadLeadingHash(ReadOnlySpan<byte> plaintext, PayloadType first, out ReadOnlySpan<byte> hash, out ReadOnlySpan<byte> rest)
    {
        hash = default;
        rest = default;
        PayloadChainReader chain = PayloadChainReader.ForDecryptedBody(plaintext, first, baseOffset: 0);
        int restStart = -1;
        while (chain.TryReadNext(out RawPayload payload))
        {
            if (restStart < 0)
            {
                if (payload.Type != PayloadType.Hash)
                {
                    return false;
                }

                hash = payload.Body;
                restStart = payload.Offset + payload.Length;
            }
        }

        if (!chain.IsComplete || restStart < 0)
        {
            return false;
        }

        rest = plaintext[restStart..chain.ChainLength];
        return true;
    }

    /// <summary>Keeps Ni_b/Nr_b, the SPIs and the responder's chosen transform for HASH(2)/(3) and KEYMAT.</summary>
    private static void LearnQuickMode(ExchangeState exchange, PayloadType first, ReadOnlySpan<byte> plaintext, int index)
    {
        PayloadChainReader chain = PayloadChainReader.ForDecryptedBody(plaintext, first, baseOffset: 0);
        while (chain.TryReadNext(out RawPayload payload))
        {
            switch (payload.Type)
            {
                case PayloadType.Nonce when index <= 1:
                    if (index == 0)
                    {
                        exchange.NiB ??= payload.Body.ToArray();
                    }
                    else
                    {
                        exchange.NrB ??= payload.Body.ToArray();
                    }

                    break;
                case PayloadType.KeyExchange:
                    exchange.HasKeyExchange = true;
                    break;
                case PayloadType.SecurityAssociation when index <= 1:
                    LearnQuickModeSa(exchange, payload.Body, responder: index == 1);
                    break;
            }
        }
    }

    private static void LearnQuickModeSa(ExchangeState exchange, ReadOnlySpan<byte> body, bool responder)
    {
        if (!SecurityAssociationPayload.TryRead(body, 0, out SecurityAssociationPayload sa, out _))
        {
            return;
        }

        ProposalReader proposals = sa.Proposals;
        if (!proposals.TryReadNext(out ProposalPayload proposal))
        {
            return;
        }

        if (!responder)
        {
            exchange.InitiatorSpi ??= proposal.Spi.ToArray();
            return;
        }

        exchange.ResponderSpi ??= proposal.Spi.ToArray();
        exchange.ProtocolId = (byte)proposal.ProtocolId;
        TransformReader transforms = proposal.Transforms;
        if (!transforms.TryReadNext(out TransformPayload transform))
        {
            return;
        }

        int keyLength = 0, authentication = 0;
        DataAttributeReader attributes = transform.Attributes;
        while (attributes.TryReadNext(out DataAttribute attribute))
        {
            if (attribute.TryGetInteger(out ulong value) && value <= ushort.MaxValue)
            {
                if (attribute.Type == (ushort)IpsecAttributeType.KeyLength)
                {
                    keyLength = (int)value;
                }
                else if (attribute.Type == (ushort)IpsecAttributeType.AuthenticationAlgorithm)
                {
                    authentication = (int)value;
                }
            }
        }

        exchange.ChosenTransform = (transform.TransformId, keyLength, authentication);
    }

    /// <summary>KEYMAT of both SAs of a Quick Mode (RFC 2409 section 5.5), split per the chosen transform.</summary>
    private void AddKeymats(IkeSaState state, ExchangeState exchange, uint messageId)
    {
        foreach (bool initiatorToResponder in (ReadOnlySpan<bool>)[true, false])
        {
            // Traffic from initiator to responder uses the SA whose SPI the responder chose, and vice versa.
            byte[] spi = (initiatorToResponder ? exchange.ResponderSpi : exchange.InitiatorSpi) ?? [];
            KeymatRecord record = DeriveOneKeymat(state, exchange, messageId, spi, initiatorToResponder);
            _keymats.Add(record);
            _pendingKeymats.Add(record);
        }
    }

    private static KeymatRecord DeriveOneKeymat(IkeSaState state, ExchangeState exchange, uint messageId, byte[] spi, bool initiatorToResponder)
    {
        KeymatRecord Problem(string why) =>
            new(state.InitiatorCookie, messageId, exchange.ProtocolId, spi, initiatorToResponder, [], [], why);

        if (exchange.NiB is null || exchange.NrB is null || spi.Length == 0 || exchange.ChosenTransform is not { } transform)
        {
            return Problem("nonces, SPIs or the chosen transform missing");
        }

        byte[] pfsSecret = [];
        if (exchange.HasKeyExchange)
        {
            if (state.Secrets is null || !state.Secrets.QuickModeSharedSecrets.TryGetValue(messageId, out byte[]? gqmxy))
            {
                return Problem($"PFS Quick Mode: g_qm_xy_logged for message_id {messageId:x8} not in the secrets");
            }

            pfsSecret = gqmxy;
        }

        (int encryptionSize, int integritySize)? sizes = KeySizes((ProtocolId)exchange.ProtocolId, transform.TransformId, transform.KeyLengthBits, transform.AuthenticationAlgorithm);
        if (sizes is not (int encryptionSize, int integritySize))
        {
            return Problem($"transform {transform.TransformId} of protocol {exchange.ProtocolId}: key sizes unknown");
        }

        byte[] keymat = new byte[encryptionSize + integritySize];
        state.Keys.ComputeKeymat(pfsSecret, exchange.ProtocolId, spi, exchange.NiB, exchange.NrB, keymat);
        return new KeymatRecord(state.InitiatorCookie, messageId, exchange.ProtocolId, spi, initiatorToResponder,
            keymat[..encryptionSize], keymat[encryptionSize..]);
    }

    /// <summary>Cipher and integrity key bytes of an IPsec transform (RFC 2407 section 4.4; RFC 3602, 3686, 4106 salt included).</summary>
    private static (int, int)? KeySizes(ProtocolId protocol, byte transformId, int keyLengthBits, int authentication)
    {
        int? integrity = (IpsecAuthenticationAlgorithm)authentication switch
        {
            0 => 0,
            IpsecAuthenticationAlgorithm.HmacMd5 => 16,
            IpsecAuthenticationAlgorithm.HmacSha1 => 20,
            IpsecAuthenticationAlgorithm.HmacSha2_256 => 32,
            IpsecAuthenticationAlgorithm.HmacSha2_384 => 48,
            IpsecAuthenticationAlgorithm.HmacSha2_512 => 64,
            IpsecAuthenticationAlgorithm.AesXcbcMac => 16,
            _ => null,
        };
        if (integrity is not int integritySize)
        {
            return null;
        }

        if (protocol == ProtocolId.IpsecAh)
        {
            return (0, integritySize);
        }

        if (protocol != ProtocolId.IpsecEsp)
        {
            return null;
        }

        int? encryption = (EspTransformId)transformId switch
        {
            EspTransformId.Null => 0,
            EspTransformId.TripleDes => 24,
            EspTransformId.AesCbc => keyLengthBits is 128 or 192 or 256 ? keyLengthBits / 8 : null,
            EspTransformId.AesCtr or EspTransformId.AesGcm8 or EspTransformId.AesGcm12 or EspTransformId.AesGcm16 =>
                keyLengthBits is 128 or 192 or 256 ? (keyLengthBits / 8) + 4 : null, // + 4-byte salt/nonce
            _ => null,
        };
        return encryption is int encryptionSize ? (encryptionSize, integritySize) : null;
    }
}
