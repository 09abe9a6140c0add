using System.Net;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Crypto.KeySchedule;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// One ISAKMP (Phase 1) SA, initiator or responder: negotiated transform, the RFC 2409 inputs kept until
/// authentication (SAi_b, nonces, public values, IDs), the key material, the Phase 1 CBC chain and its Quick Mode /
/// Informational exchanges by message ID.
/// <para>
/// Pooled: <see cref="Endpoint"/> rents one per handshake and, once the SA died (<see cref="Dispose"/> zeroed its
/// keys) and the call that removed it returned, puts it back through <see cref="Reset"/>, which must return every
/// field to its initial value (a test compares a reset SA with a new one field by field, so a field added here
/// without a line in <see cref="Reset"/> fails it). Anything that refers to an SA across calls (a pending
/// asynchronous DH result, a timer entry) must compare <see cref="Generation"/>, which changes on every reuse.
/// </para>
/// </summary>
internal sealed class IkeSa : IDisposable
{
    /// <summary>Incremented each time the object is reused for another SA.</summary>
    public int Generation;

    /// <summary>Dead and queued for recycling (guards against returning it to the pool twice).</summary>
    public bool Retired;

    public PeerConfig Peer = null!;
    public bool IsInitiator;
    public ExchangeMode Mode;
    public IPEndPoint Local = null!;
    public IPEndPoint Remote = null!;
    public ulong InitiatorCookie;
    public ulong ResponderCookie;
    public Phase1State State;
    public long CreatedAt;
    public long EstablishedAt;

    public IkeProposal? Chosen;
    public long LifetimeSeconds;

    // The Phase 1 exchange's own state lives in a Phase1Negotiation rented on first use and handed back when the SA goes
    // idle (ReleasePhase1Material) or is reset. These are references into it: reading one after that rents an empty
    // one again, which HoldsPhase1Material counts, so the idle timer hands it back (nothing reads them once idle).
    public ref byte[] SaiB => ref Negotiation.SaiB;
    public ref byte[] Ni => ref Negotiation.Ni;
    public ref byte[] Nr => ref Negotiation.Nr;
    public ref byte[] Gxi => ref Negotiation.Gxi;
    public ref byte[] Gxr => ref Negotiation.Gxr;
    public ref byte[] IdiiB => ref Negotiation.IdiiB;
    public ref byte[] IdirB => ref Negotiation.IdirB;
    public ref DhPrivateKey? DhKey => ref Negotiation.DhKey;
    public ref FragmentReassembler? Fragments => ref Negotiation.Fragments;

    private Phase1Negotiation? _negotiation;

    private Phase1Negotiation Negotiation => _negotiation ??= Phase1Negotiation.Rent();

    /// <summary>The Phase 1 exchange state is rented (tests).</summary>
    internal bool HasNegotiation => _negotiation is not null;

    public Phase1KeyMaterial Keys;
    public bool HasKeys;
    public IkeCbcCipher? Cipher;
    public CbcIvChain Iv;
    public KnownVendor PeerVendors;
    public IkeIdentity? RemoteIdentity;
    public IkeIdentity? LocalIdentity;
    public bool ReceivedInitialContact;
    public bool CountsAsHalfOpen;
    public ushort SharedLength; // at most DhWait.MaxSharedLength (1,024): two bytes in every SA

    /// <summary>
    /// Transaction exchanges (XAUTH / Mode-Config) we started, by M-ID: read-only here (a shared empty table until
    /// the SA's first one; most SAs never run one), added through <see cref="AddTransaction"/>.
    /// </summary>
    public Dictionary<uint, Transaction.TransactionExchange> Transactions => _transactionState?.Transactions ?? s_noTransactions;

    private static readonly Dictionary<uint, Transaction.TransactionExchange> s_noTransactions = [];

    public void AddTransaction(uint messageId, Transaction.TransactionExchange tx) => TransactionState.Transactions[messageId] = tx;

    /// <summary>
    /// The XAUTH / Mode-Config fields, made on first write (a plain SA keeps only this reference); kept across reuse of
    /// the pooled SA, reset by <see cref="Reset"/>.
    /// </summary>
    private Transaction.TransactionState? _transactionState;

    private Transaction.TransactionState TransactionState => _transactionState ??= new Transaction.TransactionState();

    /// <summary>The XAUTH / Mode-Config state exists (made on first use: most SAs never need it).</summary>
    internal bool HasTransactionState => _transactionState is not null;

    /// <summary>XAUTH finished successfully (or not required): Quick Mode may run.</summary>
    public bool XauthDone;

    /// <summary>Mode-Config finished (or not ours to wait for): with <see cref="XauthDone"/>, Quick Mode may start.</summary>
    public bool ModeConfigDone;

    /// <summary>
    /// Server: addresses leased to this peer (released when the SA goes). A read-only view (empty until the SA's first
    /// lease, which makes its transaction state: most SAs never get one), changed only through <see cref="AddLease"/>
    /// and <see cref="ClearLeases"/>. It was a shared empty list, and a <c>List.Clear</c> on it (which bumps the version
    /// even when empty) made an engine on another shard that was enumerating it throw on the packet path.
    /// </summary>
    public ReadOnlySpan<(Transaction.AddressPool Pool, System.Net.IPAddress Address)> Leases =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_transactionState?.Leases);

    public void AddLease(Transaction.AddressPool pool, System.Net.IPAddress address) => TransactionState.Leases.Add((pool, address));

    /// <summary>Forgets the leases (the caller has released them to their pools).</summary>
    public void ClearLeases() => _transactionState?.Leases.Clear();

    /// <summary>
    /// The engine's lifetime record while the SA is established and <see cref="EndpointOptions.ManageLifetimes"/> is set
    /// (null otherwise; cleared when the engine forgets the SA, before the object can be reused).
    /// </summary>
    public Phase1Lifecycle? Lifecycle;

    /// <summary>Client: what Mode-Config assigned.</summary>
    public Transaction.ModeConfigAttributes? AssignedConfiguration
    {
        get => _transactionState?.AssignedConfiguration;
        set
        {
            if (value is not null || _transactionState is not null)
            {
                TransactionState.AssignedConfiguration = value;
            }
        }
    }

    /// <summary>
    /// Our answer to the peer's last Transaction request (its M-ID and bytes): a retransmitted request (our answer
    /// was lost) gets it again instead of being dropped as a replay.
    /// </summary>
    public (uint MessageId, byte[] Datagram) LastTransactionReply
    {
        get => _transactionState?.LastTransactionReply ?? default;
        set => TransactionState.LastTransactionReply = value;
    }

    /// <summary>The peer's request <see cref="LastTransactionReply"/> answered (hash + length: only an identical copy is answered again).</summary>
    public Flight? LastTransactionRequest
    {
        get => _transactionState?.LastTransactionRequest;
        set => TransactionState.LastTransactionRequest = value;
    }

    /// <summary>The XAUTH user the server authenticated.</summary>
    public string? XauthUser
    {
        get => _transactionState?.XauthUser;
        set
        {
            if (value is not null || _transactionState is not null)
            {
                TransactionState.XauthUser = value;
            }
        }
    }

    /// <summary>Last authenticated message from the peer (DPD idleness, RFC 3706 §5.3).</summary>
    public long LastPeerActivity;

    /// <summary>
    /// DPD state of this SA (our sequence numbers, outstanding probe, the peer's last sequence): a struct held inline
    /// (an object cost 48 B per SA, most of which never probe), mutated through the field, never copied.
    /// </summary>
    public Dpd.DpdState Dpd;

    /// <summary>NAT-T dialect both sides announced (None: no NAT-D sent or expected).</summary>
    public NatTraversal.NatTraversalVersion NatVersion;

    /// <summary>RFC 3947 §3.2: our address as the peer saw it differs from ours (we send keepalives).</summary>
    public bool NatLocalBehind;

    /// <summary>RFC 3947 §3.2: the peer's source address is not one it hashed.</summary>
    public bool NatRemoteBehind;

    /// <summary>The deadline this SA is queued under in the endpoint's timer queue (long.MaxValue: not queued).</summary>
    public long TimerDue = long.MaxValue;

    /// <summary>Counted in the endpoint's per-connection SA index (Initiate's lookup).</summary>
    public bool CountedByConnection;

    /// <summary>
    /// Listed in the endpoint's <see cref="SaByCookies"/> table (kept by that table alone): the liveness check the timers
    /// and DH completions make several times per handshake reads this instead of a hash lookup (issue #8).
    /// </summary>
    public bool ListedByCookies;

    /// <summary>Next NAT keepalive (RFC 3948 §2.3), when we are behind a NAT.</summary>
    public long NextKeepaliveAt = long.MaxValue;

    /// <summary>IKE and ESP float to UDP 4500 and IPsec SAs are UDP-encapsulated (a NAT on either side, or forced).</summary>
    public bool UdpEncapsulated => NatVersion != NatTraversal.NatTraversalVersion.None && (NatLocalBehind || NatRemoteBehind || Peer.ForceEncapsulation);

    /// <summary>Last CBC block of Phase 1: seeds every Quick Mode / Informational IV (RFC 2409 Appendix B).</summary>
    public ReadOnlySpan<byte> LastPhase1Block => ((ReadOnlySpan<byte>)_lastPhase1Block)[.._lastPhase1BlockLength];

    /// <summary>Stores <see cref="LastPhase1Block"/> (at most one 16-byte block).</summary>
    public void SetLastPhase1Block(ReadOnlySpan<byte> block)
    {
        block.CopyTo(_lastPhase1Block);
        _lastPhase1BlockLength = (byte)block.Length;
    }

    /// <summary>Inline (no array per SA); zeroed by <see cref="Reset"/>.</summary>
    private CipherBlock16 _lastPhase1Block;
    private byte _lastPhase1BlockLength; // 8 or 16

    /// <summary>
    /// The exchange's last message and retransmission state: rented from the endpoint's pool with the SA
    /// (<see cref="AttachFlight"/>) and handed back once the established SA is past its reply cache
    /// (<see cref="DetachFlight"/>), so an idle SA holds no <see cref="Protocol.Flight"/> (96 B per SA; issue #7). Only
    /// the hash and length of the last datagram received stay, so a late repeat of it is still counted as one (RFC
    /// 2408 §5) exactly as before: reading this property on an idle SA (a late repeat, rare) makes a flight seeded with
    /// them; hot paths read <see cref="HasFlight"/>, <see cref="FlightDeadline"/> and <see cref="FlightAwaitingReply"/>.
    /// </summary>
    public Flight Flight => _flight ??= new Flight { LastInHash = _releasedInHash, LastInLength = _releasedInLength, Local = Local, Remote = Remote };

    private Flight? _flight;
    private int _releasedInHash;
    private int _releasedInLength = -1;

    /// <summary>True while the SA holds a flight (an exchange in progress, or the reply cache not yet past).</summary>
    public bool HasFlight => _flight is not null;

    /// <summary>When the flight retransmits (long.MaxValue: no flight, or not awaiting a reply).</summary>
    public long FlightDeadline => _flight?.Deadline ?? long.MaxValue;

    /// <summary>True while the flight waits for a reply.</summary>
    public bool FlightAwaitingReply => _flight?.AwaitingReply ?? false;

    /// <summary>Gives the SA a flight from <paramref name="flights"/> (unless it kept its own) writing into <paramref name="buffers"/>.</summary>
    public void AttachFlight(Stack<Flight> flights, FlightBufferPool buffers)
    {
        _flight ??= flights.TryPop(out Flight? pooled) ? pooled : new Flight();
        _flight.Pool = buffers;
    }

    /// <summary>
    /// Hands the flight back to <paramref name="flights"/> (bounded by <paramref name="max"/>), keeping only what
    /// recognises a repeat of the last datagram received; not while it awaits a reply.
    /// </summary>
    public void DetachFlight(Stack<Flight> flights, int max)
    {
        if (_flight is not { AwaitingReply: false } flight)
        {
            return;
        }

        _releasedInHash = flight.LastInHash;
        _releasedInLength = flight.LastInLength;
        flight.Reset(); // its buffer goes back to the buffer pool
        _flight = null;
        if (flights.Count < max)
        {
            flights.Push(flight);
        }
    }
    /// <summary>
    /// Quick Modes in progress (and finished ones until retired) by M-ID: read-only here (a shared empty table while the
    /// SA has none), added through <see cref="AddExchange"/>. An idle SA hands its empty table back to the endpoint's
    /// pool (<see cref="ReleaseExchangeTable"/>), so an established SA without a Quick Mode running keeps none.
    /// </summary>
    public Dictionary<uint, QuickModeExchange> Exchanges => _exchanges ?? s_noExchanges;

    private static readonly Dictionary<uint, QuickModeExchange> s_noExchanges = [];
    private Dictionary<uint, QuickModeExchange>? _exchanges;

    public void AddExchange(uint messageId, QuickModeExchange qm, Stack<Dictionary<uint, QuickModeExchange>> tables) =>
        (_exchanges ??= tables.TryPop(out Dictionary<uint, QuickModeExchange>? table) ? table : [])[messageId] = qm;

    /// <summary>True when the SA holds an exchange table with nothing in it (<see cref="ReleaseExchangeTable"/> would return it).</summary>
    public bool HoldsEmptyExchangeTable => _exchanges is { Count: 0 };

    /// <summary>Returns an empty exchange table to <paramref name="tables"/> (bounded by <paramref name="max"/>).</summary>
    public void ReleaseExchangeTable(Stack<Dictionary<uint, QuickModeExchange>> tables, int max)
    {
        if (_exchanges is { Count: 0 } table)
        {
            _exchanges = null;
            if (tables.Count < max)
            {
                tables.Push(table);
            }
        }
    }
    public RecentMessageIds CompletedMessageIds; // inline (a struct): mutated through the field, never copied
    public ChildSaSlots Children; // inline (a struct): the first two IPsec SAs in the SA itself, mutated through the field
    /// <summary>Children to negotiate once Phase 1 (and XAUTH / Mode-Config) is done: null when none (most SAs, once up).</summary>
    public List<ChildConfig>? PendingChildren;

    public bool IsEstablished => State == Phase1State.Established;

    public Crypto.IkeHashAlgorithm Hash => Chosen!.Hash;

    public void Dispose()
    {
        if (_negotiation is { DhKey: { } dhKey } n)
        {
            dhKey.Dispose();
            n.DhKey = null;
        }

        if (HasKeys)
        {
            Keys.Dispose();
            HasKeys = false;
        }

        Cipher?.Dispose();
        Cipher = null;
        Iv.Clear();
        foreach (QuickModeExchange qm in Exchanges.Values)
        {
            qm.Dispose();
        }

        // The exchanges stay listed (disposed) until Reset returns them to the pool.
        foreach (Transaction.TransactionExchange tx in Transactions.Values)
        {
            tx.Dispose();
        }

        _transactionState?.Transactions.Clear();
        State = Phase1State.Dead;
    }

    /// <summary>
    /// Back to the state of a new object for reuse (after <see cref="Dispose"/>): per-SA arrays go to
    /// <paramref name="bytes"/> (zeroed), exchanges to <paramref name="exchanges"/>; buffers and collections keep
    /// their capacity.
    /// </summary>
    public void Reset(ExactLengthArrayPool bytes, Stack<QuickModeExchange> exchanges, int maxPooledExchanges)
    {
        Dispose();
        foreach (QuickModeExchange qm in Exchanges.Values)
        {
            qm.Reset(bytes);
            if (exchanges.Count < maxPooledExchanges)
            {
                exchanges.Push(qm);
            }
        }

        _exchanges?.Clear();
        Generation++;
        Retired = false;
        Peer = null!;
        IsInitiator = false;
        Mode = default;
        Local = null!;
        Remote = null!;
        InitiatorCookie = 0;
        ResponderCookie = 0;
        State = default;
        CreatedAt = 0;
        EstablishedAt = 0;
        Chosen = null;
        LifetimeSeconds = 0;
        ReturnNegotiation(bytes);
        ((Span<byte>)_lastPhase1Block).Clear();
        _lastPhase1BlockLength = 0;
        Keys = default;
        Iv = default;
        PeerVendors = KnownVendor.None;
        RemoteIdentity = null;
        LocalIdentity = null;
        ReceivedInitialContact = false;
        CountsAsHalfOpen = false;
        SharedLength = 0;
        XauthDone = false;
        ModeConfigDone = false;
        Lifecycle = null;
        _transactionState?.Reset(); // the XAUTH / Mode-Config fields (leases included)
        LastPeerActivity = 0;
        Dpd = default;
        NatVersion = default;
        NatLocalBehind = false;
        NatRemoteBehind = false;
        TimerDue = long.MaxValue;
        CountedByConnection = false;
        ListedByCookies = false; // a pooled SA is unlisted before it is reset (RemoveSa): this only restores the new state
        NextKeepaliveAt = long.MaxValue;
        _flight?.Reset(); // a pooled SA keeps a flight it still had (it never went idle)
        _releasedInHash = 0;
        _releasedInLength = -1;
        CompletedMessageIds.Clear();
        Children.Clear();
        PendingChildren?.Clear();
    }

    /// <summary>
    /// Still holding what only Phase 1 needed (its last message for retransmitted requests, SAi_b, the public values,
    /// the ID bodies, the prepared PRF keys) or what an idle SA need not keep (an AES-NI cipher, which the endpoint
    /// pools; a platform cipher cannot be pooled and stays; an empty Quick Mode table): released by the endpoint
    /// (<see cref="ReleasePhase1Material"/> and its own pools) once the reply cache time has passed. Everything counted
    /// here must be released then, or the SA's timer would fire again at once.
    /// </summary>
    public bool HoldsPhase1Material => _flight is { HoldsBuffer: true } || _negotiation is not null || Cipher is { IsHardwareAccelerated: true } ||
                                       (HasKeys && !Keys.IsCompact) ||
                                       HoldsEmptyExchangeTable;

    /// <summary>
    /// An established SA whose last Phase 1 message no longer needs answering (RFC 2409 §5: the responder keeps its
    /// last reply only to answer a retransmitted request; the endpoint keeps it <c>ReplyCacheMs</c>): the flight
    /// buffer and the RFC 2409 hash inputs go back to their pools and the key material drops its prepared PRF keys
    /// (<see cref="Phase1KeyMaterial.Compact"/>), so an idle established SA keeps only its secrets and IV seed
    /// (<see cref="LastPhase1Block"/>); the nonces go too (the reauthentication collision rule compares the lowest,
    /// which the endpoint's lifecycle record copied at establishment). The endpoint returns the cipher to its pool at
    /// the same time.
    /// </summary>
    public void ReleasePhase1Material(ExactLengthArrayPool bytes)
    {
        _flight?.ReleaseBuffer(); // the flight itself goes back to the endpoint too (DetachFlight)
        // The hash inputs and nonces (the keys are derived; the collision rule keeps its own copy of the lowest nonce)
        // and the fragment reassembler (a fragmented MM5/AM retransmission is no longer answered either).
        ReturnNegotiation(bytes);
        if (HasKeys)
        {
            Keys.Compact(); // the prepared PRF keys (816 B) go; a later exchange prepares them per call
        }
    }

    /// <summary>
    /// At establishment: the RFC 2409 hash inputs, public values and nonces (<see cref="Phase1Negotiation"/>) are not read
    /// again (the keys are derived, HASH_I/HASH_R checked and sent; the collision rule copied the lowest nonce). A
    /// retransmitted last request is answered from the flight, which stays for the reply cache time. They go back to
    /// their pools now instead of living that long (issue #8: every SA kept ~0.5 KB of them for 30 s, promoted by the
    /// GC on the way, and a busy responder allocated them afresh per handshake). Not while fragments were used: the
    /// reassembler lives in it and answers a fragmented retransmission (it goes with the rest when the SA goes idle).
    /// </summary>
    public void ReleaseNegotiationAtEstablishment(ExactLengthArrayPool bytes)
    {
        if (_negotiation is { Fragments: null })
        {
            ReturnNegotiation(bytes);
        }
    }

    private void ReturnNegotiation(ExactLengthArrayPool bytes)
    {
        if (_negotiation is { } n)
        {
            _negotiation = null;
            n.Return(bytes);
        }
    }
}
