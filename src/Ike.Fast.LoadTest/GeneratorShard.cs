using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.LoadTest;

/// <summary>
/// One generator thread: ONE initiator <see cref="Endpoint"/> running the Phase 1s of many synthetic peers. One engine
/// per peer would cost an engine (tables, buffers, timer scans) per peer; the engine is already keyed by cookies, so a
/// single instance serves every peer of the shard. The peers share one <see cref="SharedPeerSocket"/> (each with its
/// own source address, batched recvmmsg/sendmmsg), or, with the wildcard source, each has its own socket. Outgoing
/// datagrams are routed to their peer by the initiator cookie (bytes 0-7 of the ISAKMP header, RFC 2408 §3.1): every
/// message of a Phase 1 we initiated carries our cookie, and the first one is seen right after
/// <see cref="Endpoint.Initiate(PeerConfig, ChildConfig?, long)"/>; incoming ones by the address they were sent to.
/// <para>
/// What the generator may skip because it is a load generator and not a security device (issue #8: it must cost
/// under half the responder): a fresh DH key pair per exchange (<see cref="ReusedKeyPairDhEngine"/>, unless
/// <c>--fresh-dh</c>). Its randomness is the engine's own (<see cref="SystemEngineRandom"/>, drawn in blocks). Everything the
/// responder checks and every check of the responder's messages stays.
/// </para>
/// <para>
/// Timers are driven by a 20 ms tick rather than <see cref="Endpoint.PollTimeout"/> after every datagram: the engine
/// scans all its SAs for the next deadline, and retransmission intervals are hundreds of milliseconds.
/// </para>
/// </summary>
internal sealed class GeneratorShard : IDisposable
{
    private const int TickMs = 20;
    private const int CookieOffset = 0;
    private const int PeersPerLastOctet = 250;
    private const int DeletesPerPause = 2;
    private const int ReadyBatch = 256;

    /// <summary>RFC 3948 section 2.2: IKE on UDP 4500 starts with four zero bytes (the non-ESP marker).</summary>
    private const int NonEspMarkerLength = 4;

    private readonly int _shard;
    private readonly LoadTestOptions _options;
    private readonly IPEndPoint _target;
    private readonly IReadOnlyList<IkeProposal> _ikeProposals;
    private readonly ChildConfig[] _children;
    private readonly LoadCounters _counters;
    private readonly LatencyHistogram _latency;
    private readonly Endpoint _endpoint;
    private readonly IPAddress _firstSource;

    /// <summary>The first source as a number (network order), or null for the wildcard and IPv6 (computed once, not per peer).</summary>
    private readonly uint? _firstSourceValue;
    private readonly int _peerBase;
    private readonly int _peerLimit;
    private readonly long? _countShare;
    private readonly double? _rateShare;
    private readonly int _concurrencyShare;
    private readonly Random _impairRandom;
    private readonly ConcurrentQueue<(SyntheticPeer Peer, byte[] Buffer, int Length, IPEndPoint Remote)> _inbox = new();
    private readonly ManualResetEventSlim _signal = new(false);
    private readonly List<SyntheticPeer> _peers = [];
    private readonly Queue<SyntheticPeer> _free = new();
    private readonly LinkedList<Handshake> _established = new();
    private readonly Dictionary<string, Handshake> _byConnection = new(StringComparer.Ordinal);
    private readonly List<Handshake> _inFlight = [];
    private readonly Dictionary<ulong, SyntheticPeer> _byCookie = [];
    private readonly Dictionary<uint, SyntheticPeer> _byAddress = [];
    private readonly List<(long Due, SyntheticPeer Peer, byte[] Buffer, int Length, IPEndPoint Remote)> _delayed = [];
    private readonly byte[] _sendBuffer = new byte[65536];
    private readonly byte[] _receiveBuffer = new byte[65536];
    private readonly EpollSet? _epoll = EpollSet.TryCreate(ReadyBatch);
    private readonly int[] _ready = new int[ReadyBatch];
    private readonly SharedPeerSocket? _shared;
    private readonly IPEndPoint _targetNatTraversal;
    private readonly uint _targetAddressValue;
    private readonly System.Net.SocketAddress _targetAddress;
    private readonly IPEndPoint _localAny;
    private readonly Thread _thread;
    private readonly long _origin = Stopwatch.GetTimestamp();
    private volatile bool _stopStarting;
    private volatile bool _stop;
    private volatile bool _deleteRequested;
    private volatile bool _deleteDone;
    private long _startedHere;
    private long _startTime;
    private long _handshakeSerial;

    /// <summary>Peers in <see cref="_peers"/> below this index have been handed out (the rest were made ahead).</summary>
    private int _unusedPeer;
    private int _establishedCount;
    private bool _impair = true;
    private SyntheticPeer? _justInitiated;
    private AuthConfig? _remoteAuth;

    private Func<int, bool>? _responderBehind;
    private readonly LoadTestPki? _pki;
    private readonly IDhEngine _dh;
    private readonly int _wakeDescriptor = -1;
    private int _sleeping;

    /// <summary>The epoll token of the DH wake-up eventfd (peer tokens are indexes into the peer list).</summary>
    private const int WakeToken = -1;

    /// <summary>The epoll token of the <see cref="SharedPeerSocket"/>.</summary>
    private const int SharedToken = -2;

    public GeneratorShard(int shard, LoadTestOptions options, IPEndPoint target, IPAddress firstSource, int peerBase, int peerLimit,
        long? countShare, double? rateShare, int concurrencyShare, LoadCounters counters, LatencyHistogram latency, LoadTestPki? pki = null)
    {
        _shard = shard;
        _pki = pki;
        _options = options;
        _target = target;
        _firstSource = firstSource;
        _firstSourceValue = firstSource.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !firstSource.Equals(IPAddress.Any)
            ? BinaryPrimitives.ReadUInt32BigEndian(firstSource.GetAddressBytes())
            : null;
        _peerBase = peerBase;
        _peerLimit = peerLimit;
        _countShare = countShare;
        _rateShare = rateShare;
        _concurrencyShare = concurrencyShare;
        _counters = counters;
        _latency = latency;
        _impairRandom = new Random(options.Seed * 7919 + shard);
        _ikeProposals = ProposalParser.ParseIke(options.Proposal);
        IReadOnlyList<ChildProposal> esp = ProposalParser.ParseEsp(options.Esp);
        _children = new ChildConfig[options.Children];
        for (int i = 0; i < options.Children; i++)
        {
            // Each child asks for its own remote subnet (10.i.0.0/16) so the Quick Modes are distinct SAs.
            _children[i] = new ChildConfig
            {
                Name = $"child{i}",
                LocalTs = [TrafficSelector.Dynamic],
                RemoteTs = [TrafficSelector.Parse($"10.{i}.0.0/16")],
                Proposals = esp,
            };
        }

        _localAny = new IPEndPoint(firstSource, 0);
        _targetAddress = target.Serialize();
        _targetNatTraversal = new IPEndPoint(target.Address, Endpoint.NatTraversalPort);
        // The peers' first and last addresses must be local (IP_PKTINFO cannot send from elsewhere); when they are not,
        // the per-peer sockets fail at bind, loudly, as they always did.
        if (_epoll is not null && !options.PerPeerSockets && SharedPeerSocket.Usable(firstSource, target)
            && SharedPeerSocket.IsLocal(SourceAddress(peerBase)) && SharedPeerSocket.IsLocal(SourceAddress(peerBase + peerLimit - 1)))
        {
            _shared = SharedPeerSocket.TryCreate(IPAddress.IsLoopback(target.Address));
            if (_shared is not null && !_epoll.Add(_shared.Socket, SharedToken))
            {
                _shared.Dispose();
                _shared = null;
            }

            _targetAddressValue = BinaryPrimitives.ReadUInt32BigEndian(target.Address.GetAddressBytes());
        }

        if (_shared is not null)
        {
            // Peers on the shared socket are a few objects each (no socket): made here, before anything is measured,
            // like the peers' certificates, rather than one per handshake on the generator thread.
            long peers = countShare is { } share ? Math.Min(peerLimit, share) : peerLimit;
            _peers.Capacity = (int)peers;
            while (_peers.Count < peers)
            {
                AddSharedPeer();
            }
        }

        var threadsBefore = ThreadCpu.ThreadIds();
        _dh = CreateDhEngine(_ikeProposals, esp, options.FreshDh, DhFlushDeadline(concurrencyShare));
        // The batched engine's worker thread works for this shard: its CPU is the generator's.
        HelperThreadIds = ThreadCpu.NewThreads(threadsBefore, "IkeFast");
        _endpoint = new Endpoint([], new InMemorySecretStore().AddPreSharedKey(options.PreSharedKey), _dh,
            SystemEngineRandom.Instance, new RandomSpiAllocator(), new EndpointOptions
            {
                RetransmitInitialMs = options.RetransmitMs,
                RetransmitLimit = 4,
                MaxQuickModesPerSa = Math.Max(64, options.Children),
                DeriveChildKeys = false, // the generator installs no IPsec SA (issue #8: its CPU, see the README)
            });
        _thread = new Thread(Run) { Name = $"loadtest-gen-{shard}", IsBackground = true };
        if (_dh.CanDefer)
        {
            if (_epoll is not null && Ike.Native.Udp.UdpBatch.IsSupported)
            {
                _wakeDescriptor = Ike.Native.Udp.UdpBatch.CreateEvent();
                if (_wakeDescriptor >= 0 && !_epoll.Add(_wakeDescriptor, WakeToken))
                {
                    Ike.Native.Udp.UdpBatch.CloseEvent(_wakeDescriptor);
                    _wakeDescriptor = -1;
                }
            }

            // The DH worker posts a result and wakes this thread if it sleeps (at most one eventfd write per sleep).
            _endpoint.DhCompletions.Signal = WakeForDh;
        }
    }

    /// <summary>
    /// The generator's Diffie-Hellman engine: the batched one (MODP eight lanes at a time, ECP/X25519 on its worker),
    /// like the daemon, so the generator costs well under the responder per handshake (issue #8). By default behind a
    /// <see cref="ReusedKeyPairDhEngine"/> (one key pair per group for the run, so the generator computes only g^xy);
    /// with <paramref name="freshDh"/> (<c>--fresh-dh</c>) every exchange gets a fresh pair from pools filled ahead of
    /// demand. <c>IKEFAST_LOADTEST_DH=scalar</c> keeps the synchronous engine.
    /// </summary>
    private static IDhEngine CreateDhEngine(IReadOnlyList<IkeProposal> ike, IReadOnlyList<ChildProposal> esp, bool freshDh, TimeSpan flushDeadline)
    {
        var groups = new HashSet<DhGroupId>();
        foreach (IkeProposal p in ike)
        {
            groups.Add(p.Group);
        }

        foreach (ChildProposal c in esp)
        {
            if (c.PfsGroup is { } g)
            {
                groups.Add(g);
            }
        }

        var legacy = new HashSet<DhGroupId>(groups);
        legacy.IntersectWith([DhGroupId.Modp768, DhGroupId.Modp1024]);
        var options = new DhEngineOptions { ExplicitlyEnabledLegacyGroups = legacy };
        IDhEngine engine;
        if (string.Equals(Environment.GetEnvironmentVariable(DhEnvironmentVariable), "scalar", StringComparison.OrdinalIgnoreCase))
        {
            engine = new ScalarDhEngine(SystemDhRandomSource.Instance, options);
        }
        else
        {
            // Pools only for fresh pairs: with one reused pair per group they would be refilled for nothing.
            var pooled = new List<DhGroupId>();
            foreach (DhGroupId g in freshDh ? groups : [])
            {
                if (DhGroupRegistry.TryGet(g, out var group) && (group.Kind is DhGroupKind.Modp or DhGroupKind.Curve25519 || g == DhGroupId.Ecp256))
                {
                    pooled.Add(g);
                }
            }

            var batch = new ModExpBatchOptions
            {
                NativeFactory = Ike.Native.ModExp.IfmaModExpKernelFactory.Instance,
                EcdhFactory = Ike.Native.Ecc.IfmaEcdhKernelFactory.Instance,
                FlushDeadline = flushDeadline,
            };
            // Key pairs at once even when a pool runs dry: AM1 must leave inside Initiate to be bound to its peer.
            engine = new BatchedDhEngine(SystemDhRandomSource.Instance, options, batch, pooled, 128, deferKeyPairs: false);
        }

        return freshDh ? engine : new ReusedKeyPairDhEngine(engine);
    }

    private void WakeForDh()
    {
        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) != 1)
        {
            return;
        }

        if (_wakeDescriptor >= 0)
        {
            Ike.Native.Udp.UdpBatch.SignalEvent(_wakeDescriptor);
        }
        else
        {
            _signal.Set();
        }
    }

    /// <summary>
    /// How long the generator's DH requests may wait for their batch to fill (<see cref="ModExpBatchOptions.FlushDeadline"/>).
    /// The native kernels always compute eight lanes, so a batch of three costs what a batch of eight does (P-256:
    /// about 66 µs either way). At 32 in flight the default 1 ms left the generator's batches 3.7-5 lanes full
    /// (X25519, MODP-2048, P-256); 2 ms fills them to 7.7-7.9 and saved 5-10 µs of generator CPU per handshake, with
    /// no higher p50 latency (the generator is no longer the slower side). Below <see cref="LongDeadlineConcurrency"/>
    /// in flight a batch cannot fill that way, so the daemon's 1 ms stays. <see cref="DhDeadlineEnvironmentVariable"/>
    /// overrides both.
    /// </summary>
    internal static TimeSpan DhFlushDeadline(int concurrency) =>
        int.TryParse(Environment.GetEnvironmentVariable(DhDeadlineEnvironmentVariable), out int us) && us > 0
            ? TimeSpan.FromMicroseconds(us)
            : TimeSpan.FromMilliseconds(concurrency >= LongDeadlineConcurrency ? 2 : 1);

    /// <summary>A generator thread's share of the concurrency from which its DH batches wait 2 ms instead of 1.</summary>
    internal const int LongDeadlineConcurrency = 16;

    /// <summary>Environment variable: the generator's DH batch deadline in microseconds (see <see cref="DhFlushDeadline"/>).</summary>
    public const string DhDeadlineEnvironmentVariable = "IKEFAST_LOADTEST_DH_DEADLINE_US";

    /// <summary>Environment variable: <c>scalar</c> = the generator computes DH synchronously on its own thread.</summary>
    public const string DhEnvironmentVariable = "IKEFAST_LOADTEST_DH";

    /// <summary>Kernel thread ids of this shard's helper threads (its DH batch worker), charged to the generator.</summary>
    public IReadOnlyList<int> HelperThreadIds { get; }

    /// <summary>Kernel thread id of the generator thread (0 until it started or off Linux).</summary>
    public int ThreadId { get; private set; }

    /// <summary>True once no handshake is in flight and no more will be started.</summary>
    public bool Idle { get; private set; }

    /// <summary>SAs held until exit (read racily by the runner to pace deletes).</summary>
    public int EstablishedCount => Volatile.Read(ref _establishedCount);

    /// <summary>Engine counters (read racily by the sampler; plain counters).</summary>
    public EndpointCounters EngineCounters => _endpoint.Counters;

    public void Start() => _thread.Start();

    /// <summary>Stop starting handshakes (duration over); in-flight ones finish or time out.</summary>
    public void StopStarting()
    {
        _stopStarting = true;
        _signal.Set();
    }

    /// <summary>Deletes every established SA (Informational Delete) and waits until the deletes are sent.</summary>
    /// <param name="timeout">Longest wait.</param>
    /// <param name="responderBehind">Embedded responder only: given the SAs this shard still holds, true while the
    /// responder has not yet processed the deletes sent (then sending pauses, so no delete is lost to a full socket buffer).</param>
    public void DeleteEstablished(TimeSpan timeout, Func<int, bool>? responderBehind = null)
    {
        _responderBehind = responderBehind;
        _deleteRequested = true;
        _signal.Set();
        var sw = Stopwatch.StartNew();
        while (!_deleteDone && sw.Elapsed < timeout && _thread.IsAlive)
        {
            Thread.Sleep(5);
        }
    }

    public void Stop()
    {
        _stop = true;
        _signal.Set();
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private long Now() => (long)Stopwatch.GetElapsedTime(_origin).TotalMilliseconds;

    private void Run()
    {
        ThreadId = ThreadCpu.CurrentThreadId();
        _startTime = Now();
        long nextTick = _startTime + TickMs;
        while (!_stop)
        {
            _signal.Reset();
            long now = Now();
            if (_deleteRequested && !_deleteDone)
            {
                DeleteAll(now);
                _deleteDone = true;
            }

            StartHandshakes(now);
            DrainInbox(now);
            ReleaseDelayed(now);
            if (now >= nextTick)
            {
                _endpoint.HandleTimeout(now);
                CheckDeadlines(now);
                nextTick = now + TickMs;
            }

            if (_endpoint.DhCompletions.Count > 0)
            {
                _endpoint.HandleDhCompletions(now);
            }

            Flush(now);
            _shared?.Flush(); // one sendmmsg for everything this turn produced
            Idle = _stopStarting || (_countShare is { } c && _startedHere >= c) ? _inFlight.Count == 0 : false;
            if (_epoll is not null)
            {
                long wait = Math.Max(0, nextTick - Now());
                if (_delayed.Count > 0)
                {
                    wait = Math.Clamp(_delayed.Min(d => d.Due) - Now(), 0, wait);
                }

                if (!_stopStarting && _rateShare is not null)
                {
                    wait = Math.Min(wait, 2);
                }

                Interlocked.Exchange(ref _sleeping, 1);
                if (_endpoint.DhCompletions.Count > 0)
                {
                    wait = 0; // posted before we announced the sleep: no wake-up will come
                }

                int n = _epoll.Wait((int)wait, _ready);
                Volatile.Write(ref _sleeping, 0);
                long received = Now();
                for (int i = 0; i < n; i++)
                {
                    if (_ready[i] == WakeToken)
                    {
                        Ike.Native.Udp.UdpBatch.DrainEvent(_wakeDescriptor);
                        continue;
                    }

                    if (_ready[i] == SharedToken)
                    {
                        ReceiveShared(received);
                        continue;
                    }

                    SyntheticPeer peer = _peers[_ready[i]];
                    while (peer.TryReceive(_receiveBuffer, _target, _targetAddress, out int length, out IPEndPoint remote))
                    {
                        if (length > 0)
                        {
                            OnDatagram(peer, _receiveBuffer.AsSpan(0, length), remote, received);
                        }
                    }
                }
            }
            else if (_inbox.IsEmpty)
            {
                long wait = Math.Max(1, nextTick - Now());
                if (_delayed.Count > 0)
                {
                    wait = Math.Clamp(_delayed.Min(d => d.Due) - Now(), 0, wait);
                }

                if (!_stopStarting && (_rateShare is not null))
                {
                    wait = Math.Min(wait, 2);
                }

                Interlocked.Exchange(ref _sleeping, 1);
                if (wait > 0 && _endpoint.DhCompletions.Count == 0)
                {
                    _signal.Wait((int)wait);
                }

                Volatile.Write(ref _sleeping, 0);
            }
        }
    }

    /// <summary>Starts what the load shape allows now: the rate's schedule (open loop) and/or the concurrency cap.</summary>
    private void StartHandshakes(long now)
    {
        if (_stopStarting || _deleteRequested)
        {
            return;
        }

        double elapsed = (now - _startTime) / 1000.0;
        double ramp = _options.RampUpSeconds;
        double fraction = ramp <= 0 ? 1 : Math.Min(1, elapsed / ramp);
        int concurrency = Math.Max(1, (int)Math.Ceiling(_concurrencyShare * (_rateShare is null ? fraction : 1)));
        long allowed = long.MaxValue;
        if (_rateShare is { } rate)
        {
            // Integral of the ramped rate: r*t^2/(2*ramp) during the ramp, then r*(t - ramp/2).
            double due = ramp <= 0 ? rate * elapsed : elapsed < ramp ? rate * elapsed * elapsed / (2 * ramp) : rate * (elapsed - (ramp / 2));
            allowed = (long)due + 1;
        }

        if (_countShare is { } count)
        {
            allowed = Math.Min(allowed, count);
        }

        while (_startedHere < allowed && _inFlight.Count < concurrency)
        {
            SyntheticPeer? peer = TakePeer(now);
            if (peer is null)
            {
                return;
            }

            Initiate(peer, now);
        }
    }

    private SyntheticPeer? TakePeer(long now)
    {
        if (_free.TryDequeue(out SyntheticPeer? peer))
        {
            return peer;
        }

        if (_unusedPeer < _peers.Count)
        {
            return _peers[_unusedPeer++]; // made ahead (shared socket)
        }

        if (_peers.Count < _peerLimit)
        {
            if (_shared is not null)
            {
                _unusedPeer++;
                return AddSharedPeer();
            }

            peer = new SyntheticPeer(_peerBase + _peers.Count, SourceAddress(_peerBase + _peers.Count), Deliver);
            _peers.Add(peer);
            _unusedPeer++;
            if (_epoll is null || !_epoll.Add(peer.Socket!, _peers.Count - 1))
            {
                peer.StartReceiving();
            }

            return peer;
        }

        // Every peer is busy: recycle the oldest established one (delete, then reconnect from the same peer).
        if (_established.First is { } oldest)
        {
            Handshake h = oldest.Value;
            DeleteHandshake(h, now);
            return h.Peer;
        }

        return null;
    }

    /// <summary>The next peer on the shared socket (address, identity, authentication settings).</summary>
    private SyntheticPeer AddSharedPeer()
    {
        var peer = new SyntheticPeer(_peerBase + _peers.Count, SourceAddress(_peerBase + _peers.Count), _shared!.Port);
        peer.LocalAuth = LocalAuth(peer);
        _peers.Add(peer);
        _byAddress[peer.SourceAddress] = peer;
        return peer;
    }

    /// <summary>127.0.0.2, 127.0.0.3, ... (250 per last octet, skipping .0/.1 and .252-.255), or the wildcard address.</summary>
    private IPAddress SourceAddress(int index)
    {
        return _firstSourceValue is { } first
            ? PeerAddress(first, index)
            : _firstSource; // the wildcard (or IPv6): every peer shares it
    }

    /// <summary>Peer <paramref name="index"/>'s IPv4 address counted from <paramref name="first"/> (network order as a number).</summary>
    internal static IPAddress PeerAddress(uint first, int index)
    {
        uint lastOctet = first & 0xFF;
        uint high = first >> 8;
        long offset = lastOctet - 2 + index;
        uint address = ((high + (uint)(offset / PeersPerLastOctet)) << 8) | (uint)(2 + (offset % PeersPerLastOctet));
        // IPAddress(long) takes the address bytes as they lie in memory (network order) read as a host-order number.
        return new IPAddress((uint)IPAddress.HostToNetworkOrder((int)address));
    }

    private void Initiate(SyntheticPeer peer, long now)
    {
        long serial = ++_handshakeSerial;
        var connection = new PeerConfig
        {
            Name = $"lt{_shard}-{peer.Index}-{serial}",
            LocalAddress = peer.LocalEndPoint.Address,
            LocalPort = peer.LocalEndPoint.Port, // else the SA would see QM2 as the peer moving (a formatted event each)
            RemoteAddress = _target.Address,
            RemotePort = _target.Port,
            Mode = _options.Mode,
            LocalAuth = peer.LocalAuth ??= LocalAuth(peer),
            RemoteAuth = _remoteAuth ??= _pki is null
                ? new AuthConfig { Method = AuthMethod.Psk }
                : new AuthConfig { Method = AuthMethod.PubKey, CaCertificates = [_pki.Ca] },
            IkeProposals = _ikeProposals,
            Children = _children,
            SendInitialContact = _pki is not { SharedIdentity: true },
            Xauth = _options.XauthUser is null ? XauthRole.None : XauthRole.Client,
            XauthUserName = _options.XauthUser,
            XauthPassword = _options.XauthUser is null ? null : _options.XauthPassword,
            ModeConfig = _options.ModeConfig ? new ModeConfigSettings { Role = ModeConfigRole.Client } : null,
            DpdDelay = _options.DpdDelaySeconds is { } dpd ? TimeSpan.FromSeconds(dpd) : TimeSpan.Zero,
            ForceEncapsulation = _options.NatTraversal,
        };
        var h = new Handshake(peer, connection, Stopwatch.GetTimestamp(), now + (long)(_options.TimeoutSeconds * 1000));
        peer.Current = h;
        _byConnection[connection.Name] = h;
        AddInFlight(h);
        _startedHere++;
        _counters.OnStarted();
        _justInitiated = peer;
        foreach (ChildConfig child in _children)
        {
            _endpoint.Initiate(connection, child, now);
        }

        // MM1/AM1 leaves now, so its cookie is bound to this peer before anything else is queued.
        Flush(now);
        _justInitiated = null;
    }

    /// <summary>PSK: the peer's address as ID_IPV4_ADDR; RSA: its certificate and subject DN (RFC 2409 section 5.1).</summary>
    private AuthConfig LocalAuth(SyntheticPeer peer)
    {
        if (_pki is null)
        {
            return new AuthConfig { Method = AuthMethod.Psk, Identity = peer.Identity };
        }

        var certificate = _pki.PeerCertificate(peer.Index);
        return new AuthConfig { Method = AuthMethod.PubKey, Certificate = certificate, Identity = LoadTestPki.IdentityOf(certificate) };
    }

    private void Deliver(SyntheticPeer peer, byte[] buffer, int length, IPEndPoint remote)
    {
        _inbox.Enqueue((peer, buffer, length, remote));
        _signal.Set();
    }

    private void DrainInbox(long now)
    {
        while (_inbox.TryDequeue(out var item))
        {
            OnDatagram(item.Peer, item.Buffer.AsSpan(0, item.Length), item.Remote, now);
            ArrayPool<byte>.Shared.Return(item.Buffer);
        }
    }

    /// <summary>One received datagram through the receive-side impairments into the engine.</summary>
    private void OnDatagram(SyntheticPeer peer, ReadOnlySpan<byte> datagram, IPEndPoint remote, long now)
    {
        {
            _counters.OnReceived();
            int copies = 1;
            if (_impair && _options.Drop > 0 && _impairRandom.NextDouble() < _options.Drop)
            {
                _counters.OnDropped();
                copies = 0;
            }
            else if (_impair && _options.Duplicate > 0 && _impairRandom.NextDouble() < _options.Duplicate)
            {
                _counters.OnDuplicated();
                copies = 2;
            }

            IPEndPoint local = peer.LocalEndPoint;
            if (remote.Port == Endpoint.NatTraversalPort)
            {
                // After the float (RFC 3947 section 4): strip the non-ESP marker; keepalives and ESP-in-UDP are not ours.
                if (datagram.Length < NonEspMarkerLength || datagram[..NonEspMarkerLength].IndexOfAnyExcept((byte)0) >= 0)
                {
                    return;
                }

                datagram = datagram[NonEspMarkerLength..];
                // The engine's SA now says local port 4500; the peer's socket keeps its own port, like a NAT would.
                local = peer.NatTraversalLocalEndPoint;
            }

            for (int i = 0; i < copies; i++)
            {
                _endpoint.Handle(now, local, remote, datagram);
            }

            Flush(now);
        }
    }

    /// <summary>Sends what the engine queued and handles its events, until both are empty.</summary>
    private void Flush(long now)
    {
        bool any = true;
        while (any)
        {
            any = false;
            // Written after room for the non-ESP marker, so floating to UDP 4500 costs no copy.
            while (_endpoint.PollTransmit(_sendBuffer.AsSpan(NonEspMarkerLength), out Transmit t))
            {
                any = true;
                if (!t.IsNatKeepalive && (t.Remote.Port == Endpoint.NatTraversalPort || t.Local.Port == Endpoint.NatTraversalPort))
                {
                    _sendBuffer.AsSpan(0, NonEspMarkerLength).Clear();
                    Send(_sendBuffer.AsSpan(0, NonEspMarkerLength + t.Length), NonEspMarkerLength, t.Remote, now);
                }
                else
                {
                    Send(_sendBuffer.AsSpan(NonEspMarkerLength, t.Length), 0, t.Remote, now);
                }
            }

            while (_endpoint.PollEvent(out EngineEvent e))
            {
                any = true;
                OnEvent(e, now);
            }
        }
    }

    /// <param name="ikeOffset">Where the ISAKMP header starts (after a non-ESP marker on UDP 4500).</param>
    private void Send(ReadOnlySpan<byte> datagram, int ikeOffset, IPEndPoint remote, long now)
    {
        if (datagram.Length < ikeOffset + 8)
        {
            // A NAT keepalive (RFC 3948 section 2.3): the responder ignores it; not sent.
            return;
        }

        ulong cookie = BinaryPrimitives.ReadUInt64BigEndian(datagram[(ikeOffset + CookieOffset)..]);
        if (!_byCookie.TryGetValue(cookie, out SyntheticPeer? peer))
        {
            if (_justInitiated is null)
            {
                return;
            }

            peer = _justInitiated;
            _byCookie[cookie] = peer;
        }

        // A datagram equal to one of the peer's last four is the engine retransmitting (RFC 2408 §5.1 style resend).
        ulong[] recent = peer.RecentSends;
        var hc = new HashCode();
        hc.AddBytes(datagram);
        ulong hash = (uint)hc.ToHashCode() | ((ulong)(uint)datagram.Length << 32);
        if (Array.IndexOf(recent, hash) >= 0)
        {
            _counters.OnRetransmit();
        }
        else
        {
            Array.Copy(recent, 0, recent, 1, recent.Length - 1);
            recent[0] = hash;
        }

        int copies = 1;
        if (_impair && _options.Drop > 0 && _impairRandom.NextDouble() < _options.Drop)
        {
            _counters.OnDropped();
            return;
        }

        if (_impair && _options.Duplicate > 0 && _impairRandom.NextDouble() < _options.Duplicate)
        {
            _counters.OnDuplicated();
            copies = 2;
        }

        for (int i = 0; i < copies; i++)
        {
            if (_impair && _options.DelayMs > 0)
            {
                byte[] copy = ArrayPool<byte>.Shared.Rent(datagram.Length);
                datagram.CopyTo(copy);
                _delayed.Add((now + _options.DelayMs, peer, copy, datagram.Length, remote));
                _counters.OnDelayed();
            }
            else
            {
                Transmit(peer, datagram, remote);
                _counters.OnSent();
            }
        }
    }

    /// <summary>A datagram out of <paramref name="peer"/>: into the shared socket's batch, or through the peer's own socket.</summary>
    private void Transmit(SyntheticPeer peer, ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (_shared is not null)
        {
            _shared.Enqueue(datagram, peer.SourceAddress, remote);
        }
        else
        {
            peer.Send(datagram, remote);
        }
    }

    /// <summary>Everything queued on the shared socket (recvmmsg until it comes back short), each to the peer it was sent to.</summary>
    private void ReceiveShared(long now)
    {
        int n;
        do
        {
            n = _shared!.Receive();
            for (int i = 0; i < n; i++)
            {
                ref readonly Ike.Native.Udp.UdpSlot slot = ref _shared.ReceivedSlot(i);
                ReadOnlySpan<byte> payload = _shared.Payload(slot);
                if (payload.IsEmpty || !_byAddress.TryGetValue(SharedPeerSocket.LocalAddress(slot), out SyntheticPeer? peer))
                {
                    continue; // truncated, or not for one of our peers
                }

                OnDatagram(peer, payload, RemoteOf(slot), now);
            }
        }
        while (n == Ike.Native.Udp.UdpBatch.MaxBatch);
    }

    /// <summary>The sender as an endpoint: the target (or its UDP 4500) without allocating, anything else new.</summary>
    private IPEndPoint RemoteOf(in Ike.Native.Udp.UdpSlot slot)
    {
        uint address = SharedPeerSocket.RemoteAddress(slot);
        if (address == _targetAddressValue)
        {
            if (slot.RemotePort == _target.Port)
            {
                return _target;
            }

            if (slot.RemotePort == Endpoint.NatTraversalPort)
            {
                return _targetNatTraversal;
            }
        }

        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPEndPoint(new IPAddress(bytes), slot.RemotePort);
    }

    private void ReleaseDelayed(long now)
    {
        for (int i = 0; i < _delayed.Count; i++)
        {
            var d = _delayed[i];
            if (d.Due <= now)
            {
                Transmit(d.Peer, d.Buffer.AsSpan(0, d.Length), d.Remote);
                _counters.OnSent();
                ArrayPool<byte>.Shared.Return(d.Buffer);
                _delayed.RemoveAt(i);
                i--;
            }
        }
    }

    private void OnEvent(EngineEvent e, long now)
    {
        string? name = e.Connection ?? e.ChildSa?.Connection;
        if (name is null || !_byConnection.TryGetValue(name, out Handshake? h))
        {
            return;
        }

        switch (e.Kind)
        {
            case EngineEventKind.Phase1Up:
                h.Phase1Up = true;
                h.InitiatorCookie = e.InitiatorCookie;
                h.ResponderCookie = e.ResponderCookie;
                CheckComplete(h, now);
                break;
            case EngineEventKind.InstallChildSa:
                _counters.OnChildSa(e.ChildSa?.PfsGroup is not null, e.ChildSa?.UdpEncapsulated == true);
                e.ChildSa?.ClearKeys();
                h.ChildSas++;
                CheckComplete(h, now);
                break;
            case EngineEventKind.ConfigurationReceived:
                _counters.OnConfigurationReceived();
                break;
            case EngineEventKind.Phase1Down:
                if (h.State == HandshakeState.InFlight)
                {
                    Fail(h, Reason(e), now);
                }
                else if (h.State == HandshakeState.Established)
                {
                    // The responder deleted it (or it expired): the peer is free again.
                    RemoveEstablished(h);
                    Finish(h);
                }

                _byConnection.Remove(name);
                break;
            case EngineEventKind.Diagnostic when h.State == HandshakeState.InFlight && IsFatal(e):
                Fail(h, Reason(e), now);
                break;
        }
    }

    /// <summary>
    /// Diagnostics that end a handshake: the engine gave up, the peer refused (error notify, RFC 2408 §3.14.1 types
    /// below 16384) or authentication failed. Not fatal: what the engine drops and survives (a duplicate that no
    /// longer decrypts under the advanced IV, replays, unknown SAs, malformed datagrams), exactly as a real peer would.
    /// </summary>
    private static bool IsFatal(EngineEvent e) => e.Diagnostic switch
    {
        DiagnosticCode.Timeout or DiagnosticCode.AuthenticationFailed or DiagnosticCode.NoProposalChosen
            or DiagnosticCode.InvalidIdInformation or DiagnosticCode.InvalidKeyInformation or DiagnosticCode.NoSecret
            or DiagnosticCode.NoMatchingConnection => true,
        DiagnosticCode.UnprotectedNotify or DiagnosticCode.PeerNotify => (ushort)e.Notify is > 0 and < 16384,
        _ => false,
    };

    private static string Reason(EngineEvent e)
    {
        if (e.Notify != 0 && (ushort)e.Notify < 16384)
        {
            return $"notify {e.Notify}";
        }

        return e.Diagnostic switch
        {
            DiagnosticCode.Timeout => "timeout (retransmissions exhausted)",
            DiagnosticCode.AuthenticationFailed => "authentication failed",
            DiagnosticCode.None => "deleted by peer",
            DiagnosticCode c => c.ToString(),
        };
    }

    private void CheckComplete(Handshake h, long now)
    {
        if (h.State != HandshakeState.InFlight || !h.Phase1Up || h.ChildSas < _children.Length)
        {
            return;
        }

        _latency.Record((long)Stopwatch.GetElapsedTime(h.StartTimestamp).TotalMicroseconds);
        RemoveInFlight(h);
        _counters.OnCompleted();
        h.State = HandshakeState.Established;
        if (_options.Churn)
        {
            DeleteHandshake(h, now);
            _free.Enqueue(h.Peer);
        }
        else
        {
            h.EstablishedNode = _established.AddLast(h);
            Volatile.Write(ref _establishedCount, _established.Count);
        }
    }

    private void AddInFlight(Handshake h)
    {
        h.InFlightIndex = _inFlight.Count;
        _inFlight.Add(h);
    }

    /// <summary>Swap-remove by the handshake's own slot (a HashSet cost a reference hash and a probe per add and remove).</summary>
    private void RemoveInFlight(Handshake h)
    {
        int i = h.InFlightIndex;
        if (i < 0)
        {
            return;
        }

        int last = _inFlight.Count - 1;
        Handshake moved = _inFlight[last];
        _inFlight[i] = moved;
        moved.InFlightIndex = i;
        _inFlight.RemoveAt(last);
        h.InFlightIndex = -1;
    }

    private void CheckDeadlines(long now)
    {
        List<Handshake>? late = null;
        foreach (Handshake h in _inFlight)
        {
            if (now >= h.Deadline)
            {
                (late ??= []).Add(h);
            }
        }

        if (late is null)
        {
            return;
        }

        foreach (Handshake h in late)
        {
            Fail(h, h.Phase1Up ? "timeout (quick mode)" : "timeout (phase 1)", now);
        }
    }

    private void Fail(Handshake h, string reason, long now)
    {
        if (h.State != HandshakeState.InFlight)
        {
            return;
        }

        RemoveInFlight(h);
        _counters.OnFailed(reason);
        h.State = HandshakeState.Finished;
        if (h.Phase1Up)
        {
            // Do not leave a half-finished Phase 1 at the responder.
            _endpoint.DeletePhase1(h.InitiatorCookie, h.ResponderCookie, now);
        }

        Finish(h);
        _free.Enqueue(h.Peer);
    }

    private void DeleteHandshake(Handshake h, long now)
    {
        RemoveEstablished(h);
        if (_endpoint.DeletePhase1(h.InitiatorCookie, h.ResponderCookie, now))
        {
            _counters.OnDeleted();
        }

        Finish(h);
        Flush(now);
    }

    private void RemoveEstablished(Handshake h)
    {
        if (h.EstablishedNode is { } node)
        {
            h.EstablishedNode = null;
            _established.Remove(node);
            Volatile.Write(ref _establishedCount, _established.Count);
        }
    }

    private static void Finish(Handshake h)
    {
        h.State = HandshakeState.Finished;
        if (ReferenceEquals(h.Peer.Current, h))
        {
            h.Peer.Current = null;
        }
    }

    private void DeleteAll(long now)
    {
        // The deletes are not impaired: the responder must learn about every one of them.
        _impair = false;
        foreach (var d in _delayed)
        {
            Transmit(d.Peer, d.Buffer.AsSpan(0, d.Length), d.Remote);
            ArrayPool<byte>.Shared.Return(d.Buffer);
        }

        _delayed.Clear();
        int sent = 0;
        while (_established.First is { } first)
        {
            DeleteHandshake(first.Value, now);

            // Paced (about 2000 Phase 1 deletes a second): a burst of thousands of datagrams overflows the
            // responder's socket receive buffer and the lost deletes would leave SAs behind.
            if (++sent % DeletesPerPause == 0)
            {
                _shared?.Flush();
                Thread.Sleep(1);
                var waited = Stopwatch.StartNew();
                while (_responderBehind is { } behind && behind(_established.Count) && waited.ElapsedMilliseconds < 2000)
                {
                    Thread.Sleep(2);
                }
            }
        }

        Flush(now);
        _shared?.Flush();
    }

    public void Dispose()
    {
        Stop();
        _shared?.Dispose();
        foreach (SyntheticPeer p in _peers)
        {
            p.Dispose();
        }

        _signal.Dispose();
        _epoll?.Dispose();
        if (_wakeDescriptor >= 0)
        {
            Ike.Native.Udp.UdpBatch.CloseEvent(_wakeDescriptor);
        }

        (_dh as IDisposable)?.Dispose();
    }
}
