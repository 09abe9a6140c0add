using System.Net;
using Ike.Fast.Crypto;
using Ike.Fast.Policy;
using Ike.Fast.Wire;
using IkeEncryptionAlgorithm = Ike.Fast.Crypto.IkeEncryptionAlgorithm;

namespace Ike.Fast.Protocol;

/// <summary>
/// Reuse of per-SA objects: Phase 1 SAs, Quick Mode exchanges, the byte arrays they hold and (when the host hands
/// them back) <see cref="ChildSaInfo"/>s, so a steady stream of handshakes allocates nothing once the pools are
/// warm. An object that dies is only retired during the call that killed it (code further up the stack may still
/// look at it) and recycled at the start of the next <see cref="Handle"/> / <see cref="HandleTimeout"/>; key
/// material is zeroed when it dies, not when it is recycled.
/// </summary>
public sealed partial class Endpoint
{
    /// <summary>Upper bound of each free list: the pools absorb churn, they do not keep a peak's worth of SAs forever.</summary>
    private const int MaxPooled = 4096;

    /// <summary>
    /// Bound of the peer identity cache: it serves peers that come back (a rekeying or reconnecting peer makes no new
    /// identity); past a thousand distinct peers each established SA holds its identity anyway, and a table of 4,096
    /// cost ~400 KB of which most held nothing another SA did not (issue #7).
    /// </summary>
    private const int MaxPeerIdentities = 1024;

    private readonly ExactLengthArrayPool _bytes = new();
    private readonly FlightBufferPool _flightBuffers = new();

    /// <summary>
    /// Queued outgoing datagrams (<see cref="Send"/> until the host polls them), in power-of-two sizes. Per endpoint,
    /// not <c>ArrayPool.Shared</c>: the shared pool's per-core stacks are drained and trimmed by other threads, so a
    /// busy process made this thread allocate now and then (EngineAllocationTests failed in full-suite runs).
    /// </summary>
    private readonly FlightBufferPool _transmitBuffers = new();
    private readonly Stack<IkeSa> _saPool = new();

    /// <summary>Phase 1 flights of idle SAs (<see cref="IkeSa.DetachFlight"/>), for the next SA that runs an exchange.</summary>
    private readonly Stack<Flight> _flights = new();
    private readonly Stack<QuickModeExchange> _exchangePool = new();

    /// <summary>Empty Quick Mode tables of idle SAs (<see cref="IkeSa.ReleaseExchangeTable"/>), for the next SA that runs one.</summary>
    private readonly Stack<Dictionary<uint, QuickModeExchange>> _exchangeTables = new();
    private readonly Stack<ChildSaInfo> _childPool = new();

    /// <summary>
    /// Lists of children waiting for Phase 1 (<see cref="IkeSa.PendingChildren"/>): an SA holds one only until its Quick
    /// Modes start (<see cref="StartPendingChildren"/>), so a stream of new initiator SAs reuses a few lists instead of
    /// allocating two objects per SA and keeping them for its lifetime (issue #8).
    /// </summary>
    private readonly Stack<List<ChildConfig>> _pendingChildLists = new();

    /// <summary>Key holders of installed pairs (<see cref="ChildSaInfo.ClearKeys"/>), for the next Quick Mode.</summary>
    private readonly Stack<ChildSaKeys> _childKeys = new();
    private readonly List<IkeSa> _retiredSas = [];
    private readonly List<QuickModeExchange> _retiredExchanges = [];

    /// <summary>
    /// Hands an <see cref="ChildSaInfo"/> back for reuse once the host is done with it (after its DeleteChildSa
    /// event, or after installing it if the host keeps its own copy); its keys are zeroed now. Optional: a child
    /// never returned is simply collected. Ignored for a child the engine still lists as established.
    /// </summary>
    public void ReturnChildSa(ChildSaInfo child)
    {
        ArgumentNullException.ThrowIfNull(child);
        if (child.Live || child.Pooled)
        {
            return;
        }

        child.ClearKeys();
        if (_childPool.Count < MaxPooled)
        {
            child.Pooled = true;
            _childPool.Push(child);
        }
    }

    /// <summary>Our and the peer's endpoint for a connection we initiate: made once per connection, shared by its SAs (never mutated).</summary>
    private readonly Dictionary<PeerConfig, (IPEndPoint Local, IPEndPoint Remote)> _initiatorEndpoints = new(ReferenceEqualityComparer.Instance);

    /// <summary>Connections whose endpoints <see cref="_initiatorEndpoints"/> keeps at most.</summary>
    private const int MaxInitiatorEndpoints = 4096;

    private (IPEndPoint Local, IPEndPoint Remote) InitiatorEndpoints(PeerConfig connection)
    {
        if (!_initiatorEndpoints.TryGetValue(connection, out (IPEndPoint Local, IPEndPoint Remote) pair) ||
            !pair.Remote.Address.Equals(connection.RemoteAddress) || pair.Remote.Port != connection.RemotePort)
        {
            pair = (new IPEndPoint(connection.LocalAddress ?? IPAddress.Any, connection.LocalPort), new IPEndPoint(connection.RemoteAddress!, connection.RemotePort));
            if (_initiatorEndpoints.Count >= MaxInitiatorEndpoints)
            {
                // A cache, not a registry: a host that makes a connection per handshake (the load generator) would
                // otherwise keep every one of them alive here. A cleared entry is simply made again.
                _initiatorEndpoints.Clear();
            }

            _initiatorEndpoints[connection] = pair;
        }

        return pair;
    }

    /// <summary>AES-NI ciphers of dead SAs (key schedule zeroed), by algorithm and key size.</summary>
    private readonly Dictionary<(IkeEncryptionAlgorithm Algorithm, int KeyLengthBits), Stack<IkeCbcCipher>> _cipherPool = [];

    /// <summary>Our ID_IPV4_ADDR / ID_IPV6_ADDR identity per local address (Phase 1 ID and PSK lookup).</summary>
    private readonly Dictionary<IPAddress, IkeIdentity> _addressIdentities = [];

    /// <summary>
    /// Peer identities seen lately (short ones: addresses, key IDs, short FQDNs), reused by value; cleared when
    /// <see cref="MaxPeerIdentities"/> are held.
    /// </summary>
    private readonly Dictionary<(IdentificationType Type, UInt128 Data, int Length), IkeIdentity> _peerIdentities = [];

    /// <summary>Phase1Up texts by what they say (a host keeps one per SA in its status table: shared, not one string per SA).</summary>
    private readonly Dictionary<(ExchangeMode Mode, IkeProposal Proposal, long LifetimeSeconds, KnownVendor Vendors), string> _phase1Summaries = [];

    /// <summary>The Phase1Up event's text (mode, transform, lifetime, peer vendors), formatted once per distinct text.</summary>
    private string Phase1Summary(IkeSa sa)
    {
        var key = (sa.Mode, sa.Chosen!, sa.LifetimeSeconds, sa.PeerVendors);
        if (!_phase1Summaries.TryGetValue(key, out string? text))
        {
            if (_phase1Summaries.Count >= 256)
            {
                _phase1Summaries.Clear();
            }

            text = $"{sa.Mode} Mode {sa.Chosen} lifetime {sa.LifetimeSeconds}s, peer vendors {sa.PeerVendors}";
            _phase1Summaries[key] = text;
        }

        return text;
    }

    private CipherSelectionError TryRentCipher(IkeEncryptionAlgorithm algorithm, int keyLengthBits, out IkeCbcCipher? cipher)
    {
        if (_cipherPool.TryGetValue((algorithm, keyLengthBits), out Stack<IkeCbcCipher>? stack) && stack.TryPop(out cipher))
        {
            return CipherSelectionError.None;
        }

        return IkeCbcCipher.TryCreate(algorithm, keyLengthBits, out cipher);
    }

    /// <summary>
    /// The SA's Phase 1 cipher (Ka's key schedule, 544 B for AES): kept while the SA exchanges messages and returned to
    /// the pool (schedule zeroed) once it is idle (<see cref="ReleaseIdleMaterial"/>), so an idle SA holds only Ka inside
    /// its key material; the next message rents one again and expands Ka (a few dozen nanoseconds with AES-NI).
    /// </summary>
    private IkeCbcCipher CipherOf(IkeSa sa)
    {
        if (sa.Cipher is { } cipher)
        {
            return cipher;
        }

        // Validated when the keys were derived (same algorithm and key size): renting and keying cannot fail here.
        IkeProposal p = sa.Chosen!;
        if (TryRentCipher(p.Encryption, p.KeyLengthBits, out cipher) != CipherSelectionError.None || cipher is null ||
            !cipher.TrySetKey(sa.Keys.EncryptionKey))
        {
            throw new InvalidOperationException("The Phase 1 cipher could not be re-created.");
        }

        sa.Cipher = cipher;
        return cipher;
    }

    /// <summary>
    /// An established SA past its reply cache time: its Phase 1 leftovers go back to the pools
    /// (<see cref="IkeSa.ReleasePhase1Material"/>, which also drops the prepared PRF keys) and its cipher to the cipher pool.
    /// </summary>
    private void ReleaseIdleMaterial(IkeSa sa)
    {
        // The responder index only recognises a retransmitted MM1/AM1; past the reply cache time there is no reply to
        // repeat and the initiator has long had ours, so the entry goes (36 B per SA with its bucket, and one table
        // fewer whose doubling moves the memory per SA: issue #7). A stray late copy is then a new half-open SA.
        if (!sa.IsInitiator && _responderByInitiator.TryGetValue((sa.InitiatorCookie, sa.Remote), out IkeSa? r) && ReferenceEquals(r, sa))
        {
            _responderByInitiator.Remove((sa.InitiatorCookie, sa.Remote));
        }

        sa.ReleasePhase1Material(_bytes);
        sa.DetachFlight(_flights, MaxPooled);
        sa.ReleaseExchangeTable(_exchangeTables, MaxPooled);
        if (sa.Chosen is { } chosen)
        {
            ReleaseCipher(sa, chosen.Encryption, chosen.KeyLengthBits);
        }
    }

    /// <summary>The SA's cipher, key schedule zeroed, back to the pool (before <see cref="IkeSa.Dispose"/> would dispose it).</summary>
    private void ReleaseCipher(IkeSa sa, IkeEncryptionAlgorithm algorithm, int keyLengthBits)
    {
        IkeCbcCipher? cipher = sa.Cipher;
        if (cipher is null || !cipher.TryClearKeyForReuse())
        {
            return;
        }

        sa.Cipher = null;
        if (!_cipherPool.TryGetValue((algorithm, keyLengthBits), out Stack<IkeCbcCipher>? stack))
        {
            stack = new Stack<IkeCbcCipher>();
            _cipherPool[(algorithm, keyLengthBits)] = stack;
        }

        if (stack.Count < MaxPooled)
        {
            stack.Push(cipher);
        }
    }

    private IkeIdentity AddressIdentity(IPAddress address)
    {
        if (!_addressIdentities.TryGetValue(address, out IkeIdentity? id))
        {
            id = IkeIdentity.FromAddress(address);
            if (_addressIdentities.Count < 256)
            {
                _addressIdentities[address] = id;
            }
        }

        return id;
    }

    /// <summary>An identity object for a received ID (shared with earlier SAs that carried the same one: identities are immutable).</summary>
    private IkeIdentity PeerIdentity(IdentificationType type, ReadOnlySpan<byte> data, IkeIdentity? configured)
    {
        if (configured is not null && configured.Matches(type, data))
        {
            return configured;
        }

        if (data.Length > 16)
        {
            return new IkeIdentity(type, data);
        }

        Span<byte> padded = stackalloc byte[16];
        padded.Clear();
        data.CopyTo(padded);
        var key = (type, System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(padded), data.Length);
        if (!_peerIdentities.TryGetValue(key, out IkeIdentity? id))
        {
            if (_peerIdentities.Count >= MaxPeerIdentities)
            {
                _peerIdentities.Clear();
            }

            id = new IkeIdentity(type, data);
            _peerIdentities[key] = id;
        }

        return id;
    }

    private IkeSa RentSa(PeerConfig peer, bool isInitiator, ExchangeMode mode, IPEndPoint local, IPEndPoint remote)
    {
        IkeSa sa = _saPool.TryPop(out IkeSa? pooled) ? pooled : new IkeSa();
        sa.AttachFlight(_flights, _flightBuffers);
        sa.Peer = peer;
        sa.IsInitiator = isInitiator;
        sa.Mode = mode;
        sa.Local = local;
        sa.Remote = remote;
        return sa;
    }

    /// <summary>Queues <paramref name="child"/> for when <paramref name="sa"/>'s Phase 1 (and XAUTH / Mode-Config) is done.</summary>
    private void AddPendingChild(IkeSa sa, ChildConfig child)
    {
        (sa.PendingChildren ??= _pendingChildLists.TryPop(out List<ChildConfig>? list) ? list : []).Add(child);
    }

    /// <summary>Takes <paramref name="sa"/>'s emptied list of pending children back to the pool.</summary>
    private void ReleasePendingChildren(IkeSa sa)
    {
        if (sa.PendingChildren is { Count: 0 } list)
        {
            sa.PendingChildren = null;
            if (_pendingChildLists.Count < MaxPooled)
            {
                _pendingChildLists.Push(list);
            }
        }
    }

    private QuickModeExchange RentExchange(uint messageId, bool isInitiator, ChildConfig child)
    {
        QuickModeExchange qm = _exchangePool.TryPop(out QuickModeExchange? pooled) ? pooled : new QuickModeExchange();
        qm.Flight.Pool = _flightBuffers;
        qm.MessageId = messageId;
        qm.IsInitiator = isInitiator;
        qm.Child = child;
        return qm;
    }

    /// <summary>A child object with key arrays of the given sizes (the holder and the arrays from the free lists).</summary>
    private ChildSaInfo RentChildSa(int encryptionKeySize, int integrityKeySize)
    {
        ChildSaKeys keys = _childKeys.TryPop(out ChildSaKeys? free) ? free : new ChildSaKeys { Pool = _bytes, Home = _childKeys };
        keys.InboundEncryption = _bytes.Rent(encryptionKeySize);
        keys.OutboundEncryption = _bytes.Rent(encryptionKeySize);
        keys.InboundIntegrity = _bytes.Rent(integrityKeySize);
        keys.OutboundIntegrity = _bytes.Rent(integrityKeySize);
        if (_childPool.TryPop(out ChildSaInfo? child))
        {
            child.Pooled = false;
            child.InstalledUnixSeconds = 0;
        }
        else
        {
            child = new ChildSaInfo
            {
                Connection = "",
                Child = "",
                LocalAddress = IPAddress.None,
                RemoteAddress = IPAddress.None,
                LocalTs = TrafficSelector.Dynamic,
                RemoteTs = TrafficSelector.Dynamic,
            };
        }

        child.AttachKeys(keys);
        return child;
    }

    /// <summary>The SA died in this call (keys already zeroed): recycled at the start of the next call.</summary>
    private void Retire(IkeSa sa)
    {
        if (!sa.Retired)
        {
            sa.Retired = true;
            _retiredSas.Add(sa);
        }
    }

    private void Retire(QuickModeExchange qm) => _retiredExchanges.Add(qm);

    private void RecycleRetired()
    {
        RecycleLifecycles();
        if (_retiredSas.Count > 0)
        {
            foreach (IkeSa sa in _retiredSas)
            {
                // Still in a table (a path that retired it without removing it): leave it to the collector.
                if (sa.State != Phase1State.Dead || IsLive(sa))
                {
                    continue;
                }

                sa.Reset(_bytes, _exchangePool, MaxPooled);
                if (_saPool.Count < MaxPooled)
                {
                    _saPool.Push(sa);
                }
            }

            _retiredSas.Clear();
        }

        if (_retiredExchanges.Count > 0)
        {
            foreach (QuickModeExchange qm in _retiredExchanges)
            {
                qm.Reset(_bytes);
                if (_exchangePool.Count < MaxPooled)
                {
                    _exchangePool.Push(qm);
                }
            }

            _retiredExchanges.Clear();
        }
    }
}
