using System.Net;
using Ike.Fast.Host.Admission;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Transport;
using Ike.Fast.Protocol;
using Ike.Native.Udp;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Sharding;

/// <summary>
/// N independent <see cref="IkeDaemon"/> loops (<c>daemon.shards</c>, one per core by default), each with its own
/// Endpoint, SA tables, buffers, timers and thread, sharing nothing on the packet path. A peer belongs to the shard its
/// address hashes to (<see cref="ShardSteering.ShardOfAddress(IPAddress, int, ulong)"/>, keyed by a seed drawn per
/// start): datagrams reach it by SO_REUSEPORT with the kernel's address-steering program or through the
/// <see cref="ShardDispatcher"/> (<c>daemon.steering</c>),
/// and the exchanges this host initiates (configured children, <c>initiate</c>, kernel ACQUIRE) start on it, so all of
/// one peer's ISAKMP SAs live together and reauthentication, the collision rule and INITIAL-CONTACT work as with one
/// shard. Each shard also shapes the cookies it chooses to name itself (<see cref="ShardSteering.Shape"/>): a peer
/// whose address changed mid-SA is found by its cookies. What the shards share is off the packet path: the SA registry
/// and installer (locked, once per SA), and the admission gate (only new Phase 1s). The control socket sees one target:
/// counters summed, SA commands sent to every shard (the SA lives on one), initiations to the peer's shard.
/// </summary>
public sealed class ShardedDaemon : IControlTarget, IDisposable
{
    private readonly List<IkeDaemon> _shards = [];
    private readonly List<IDatagramTransport> _transports = [];
    private readonly List<ShardInbox> _inboxes = [];
    private readonly UdpSocketSet? _dispatcherSockets;
    private readonly ShardDispatcher? _dispatcher;
    private readonly ILogger _logger;
    private readonly DaemonOptions _options;
    private readonly List<Thread> _threads = [];
    private ShardMetrics? _metrics;

    /// <param name="transportFactory">Tests: one transport, which makes one shard.</param>
    public ShardedDaemon(
        IkeFastConfiguration configuration,
        ISaInstaller installer,
        SaRegistry registry,
        DaemonOptions options,
        ILoggerFactory loggers,
        TimeProvider time,
        Func<IkeFastConfiguration, ILogger, IDatagramTransport>? transportFactory = null,
        Func<IkeFastConfiguration>? reloader = null)
    {
        _options = options;
        _logger = loggers.CreateLogger<ShardedDaemon>();
        var transportLogger = loggers.CreateLogger("Ike.Fast.Host.Transport");
        var sharding = configuration.Daemon.Sharding;
        var count = sharding.EffectiveShards;
        var batched = sharding.BatchedIo && UdpBatch.IsSupported && transportFactory is null;
        if (!batched && count > 1)
        {
            _logger.LogWarning("{Shards} shards need the native batched transport (Linux, libikefast_native){Reason}; running one shard",
                count, transportFactory is null ? "" : " and no injected transport");
            count = 1;
        }

        Steering = sharding.Steering;
        SteeringSeed = options.SteeringSeed ?? ShardSteering.NewSeed();
        try
        {
            if (!batched)
            {
                _transports.Add(transportFactory is null
                    ? new UdpDatagramTransport(configuration.Daemon.Listen, transportLogger)
                    : transportFactory(configuration, transportLogger));
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    _inboxes.Add(new ShardInbox(1024, 4096));
                }

                CreateBatchedTransports(configuration, sharding, count, options.DatagramBufferSize, transportLogger, out _dispatcherSockets);
                if (_dispatcherSockets is not null)
                {
                    _dispatcher = new ShardDispatcher(_dispatcherSockets, _inboxes, sharding.BatchSize, options.DatagramBufferSize,
                        SteeringSeed, transportLogger);
                }
            }

            var admission = configuration.Daemon.Admission.Enabled
                ? new AdmissionControl(configuration.Daemon.Admission, loggers.CreateLogger<AdmissionControl>(), time, _transports.Count)
                : null;
            Admission = admission;
            var sharedDh = ConfiguredDhEngine.CreateShared(configuration, _transports.Count); // one DH worker, fuller batches
            for (var i = 0; i < _transports.Count; i++)
            {
                var shard = i;
                var shardCount = _transports.Count;
                var endpointOptions = shardCount > 1
                    ? new EndpointOptions { CookieShaper = cookie => ShardSteering.Shape(cookie, shard, shardCount, SteeringSeed) }
                    : null;
                var daemon = new IkeDaemon(configuration, _transports[i], installer, registry,
                    options with { ShardIndex = shard, ShardCount = shardCount, SteeringSeed = SteeringSeed },
                    loggers.CreateLogger<IkeDaemon>(), time, dh: sharedDh?[i], endpointOptions: endpointOptions)
                {
                    Reloader = reloader,
                    Admission = admission,
                };
                if (shardCount > 1 && _transports[i] is BatchedUdpTransport batchedTransport)
                {
                    // One delegate for the daemon's life: the per-datagram ownership check allocates nothing.
                    batchedTransport.OwnsSa = daemon.HasSa;
                }

                _shards.Add(daemon);
            }

            if (_shards.Count > 1)
            {
                LinkShards();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Gives every shard its <see cref="CrossShardPeers"/> over one mailbox per shard; a shard sleeping in poll(2) counts
    /// waiting mail as pending work, and a post wakes it through its transport.
    /// </summary>
    private void LinkShards()
    {
        var mailboxes = _shards.Select(_ => new ShardMailbox(1024)).ToArray();
        var wakers = _transports.Select(t => t as IWakeableTransport).ToArray();
        for (var i = 0; i < _shards.Count; i++)
        {
            var peers = new CrossShardPeers(i, mailboxes, wakers);
            _shards[i].CrossShard = peers;
            if (wakers[i] is { } wakeable)
            {
                var before = wakeable.PendingWork;
                var mailbox = peers.Mailbox;
                wakeable.PendingWork = before is null ? () => mailbox.HasMail : () => before() || mailbox.HasMail;
            }
        }
    }

    /// <summary>ISAKMP SAs whose pairs went to another shard's new SA of the same peer, and pairs adopted (all shards).</summary>
    public (long HandedOver, long Adopted, long InitialContactDropped) CrossShardCounts =>
        (_shards.Sum(s => s.CrossShard?.HandedOver ?? 0), _shards.Sum(s => s.CrossShard?.Adopted ?? 0),
            _shards.Sum(s => s.CrossShard?.InitialContactDropped ?? 0));

    /// <summary>How datagrams reach their shard.</summary>
    public SteeringMode Steering { get; }

    /// <summary>The seed of the peer-address hash this start uses (<see cref="DaemonOptions.SteeringSeed"/>, else random).</summary>
    public ulong SteeringSeed { get; }

    public IReadOnlyList<IkeDaemon> Shards => _shards;

    /// <summary>The shards' transports (same order).</summary>
    public IReadOnlyList<IDatagramTransport> Transports => _transports;

    public AdmissionControl? Admission { get; }

    public IReadOnlyList<IPEndPoint> LocalEndPoints => _transports.Count > 0 ? _transports[0].LocalEndPoints : [];

    /// <summary>Datagrams the dispatcher received (0 with SO_REUSEPORT steering).</summary>
    public long DispatcherReceived => _dispatcher?.Received ?? 0;

    private void CreateBatchedTransports(IkeFastConfiguration configuration, ShardingSettings sharding, int count, int maxDatagram,
        ILogger logger, out UdpSocketSet? dispatcherSockets)
    {
        dispatcherSockets = null;
        if (sharding.Steering == SteeringMode.Dispatcher)
        {
            dispatcherSockets = new UdpSocketSet(configuration.Daemon.Listen, reusePort: false, 0, logger);
            for (var i = 0; i < count; i++)
            {
                _transports.Add(new BatchedUdpTransport(i, count, dispatcherSockets, ownsSockets: false, receiveSockets: false, _inboxes,
                    sharding.BatchSize, maxDatagram, logger) { SteeringSeed = SteeringSeed });
            }

            return;
        }

        // SO_REUSEPORT: shard 0 binds first (resolving port 0), the others bind exactly what it got, in shard order so
        // the socket index in each reuseport group is the shard number the steering program returns.
        IReadOnlyList<IPEndPoint> listen = configuration.Daemon.Listen;
        if (count > 1)
        {
            UdpSocketSet.EnsureFree(listen);
        }

        for (var i = 0; i < count; i++)
        {
            var sockets = new UdpSocketSet(listen, reusePort: count > 1, count, logger, SteeringSeed);
            listen = [.. sockets.LocalEndPoints];
            _transports.Add(new BatchedUdpTransport(i, count, sockets, ownsSockets: true, receiveSockets: true, _inboxes,
                sharding.BatchSize, maxDatagram, logger) { SteeringSeed = SteeringSeed });
        }
    }

    /// <summary>Starts one thread per shard (and the dispatcher's); <paramref name="failed"/> is called if one throws.</summary>
    public void Start(CancellationToken cancel, Action<Exception> failed)
    {
        _metrics = new ShardMetrics(this);
        for (var i = 0; i < _shards.Count; i++)
        {
            var daemon = _shards[i];
            _threads.Add(StartThread(_shards.Count == 1 ? "ikefast-loop" : $"ikefast-shard-{i}", () => daemon.Run(cancel), failed));
        }

        if (_dispatcher is { } dispatcher)
        {
            _threads.Add(StartThread("ikefast-dispatch", () => dispatcher.Run(cancel, _options.MaxWait), failed));
        }

        _logger.LogInformation("{Shards} shard(s), {Steering}, {Io}", _shards.Count,
            _transports[0] is not BatchedUdpTransport ? "no steering" : _dispatcher is not null ? "dispatcher thread" : "SO_REUSEPORT steering",
            _transports[0] is BatchedUdpTransport ? "batched I/O" : "one datagram per call");
    }

    private static Thread StartThread(string name, Action run, Action<Exception> failed)
    {
        var thread = new Thread(() =>
        {
            try
            {
                run();
            }
            catch (Exception e)
            {
                failed(e);
            }
        })
        {
            Name = name,
            IsBackground = true,
        };
        thread.Start();
        return thread;
    }

    /// <summary>Waits for every thread after cancellation.</summary>
    public void Join()
    {
        foreach (var thread in _threads)
        {
            thread.Join();
        }
    }

    public CountersStatus Counters
    {
        get
        {
            long received = 0, sent = 0, dropped = 0, phase1 = 0, children = 0;
            foreach (var shard in _shards)
            {
                var c = shard.Counters;
                received += c.Received;
                sent += c.Sent;
                dropped += c.Dropped;
                phase1 += c.Phase1Established;
                children += c.ChildSasEstablished;
            }

            return new CountersStatus(received, sent, dropped, phase1, children);
        }
    }

    public StatsStatus? Stats
    {
        get
        {
            StatsStatus? total = null;
            var diagnostics = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (IControlTarget shard in _shards)
            {
                if (shard.Stats is not { } s)
                {
                    continue;
                }

                foreach (var (code, count) in s.Diagnostics)
                {
                    diagnostics[code] = diagnostics.GetValueOrDefault(code) + count;
                }

                // SAs up, connections, reloads and uptime are the same for every shard (shared registry, same file).
                total = total is null
                    ? s
                    : total with
                    {
                        Received = total.Received + s.Received,
                        Sent = total.Sent + s.Sent,
                        Dropped = total.Dropped + s.Dropped,
                        DiagnosticsSuppressed = total.DiagnosticsSuppressed + s.DiagnosticsSuppressed,
                        Phase1Established = total.Phase1Established + s.Phase1Established,
                        ChildSasEstablished = total.ChildSasEstablished + s.ChildSasEstablished,
                    };
            }

            return total is null ? null : total with { Diagnostics = diagnostics };
        }
    }

    /// <summary>
    /// An initiation (control socket, kernel ACQUIRE) runs on the shard of the connection's peer, where the peer's
    /// answers arrive and its other SAs live (shard 0 for an unknown connection, which then says so).
    /// </summary>
    public Task<ControlResponse> InitiateAsync(string connection, string? child) => PeerShard(connection).InitiateAsync(connection, child);

    /// <summary>The shard that owns exchanges with <paramref name="connection"/>'s peer (configuration in force).</summary>
    public IkeDaemon PeerShard(string connection)
    {
        var peer = _shards[0].Configuration.Connections.FirstOrDefault(c => c.Name == connection);
        return _shards[ShardSteering.ShardOfPeer(peer?.RemoteAddress, _shards.Count, SteeringSeed)];
    }

    /// <summary>Datagrams passed between shards by their cookies (peers whose address changed mid-SA), and those dropped
    /// because no shard owned them.</summary>
    public (long PassedOn, long UnownedDropped) Rebinding =>
        (_transports.OfType<BatchedUdpTransport>().Sum(t => t.PassedOn), _transports.OfType<BatchedUdpTransport>().Sum(t => t.UnownedDropped));

    public Task<ControlResponse> TerminateIkeAsync(string connection) => AnyShard(shard => shard.TerminateIkeAsync(connection));

    public Task<ControlResponse> TerminateChildAsync(uint inboundSpi) => AnyShard(shard => shard.TerminateChildAsync(inboundSpi));

    /// <summary>
    /// A kernel soft expiry: the shard that owns the pair rekeys it (docs/rekeying.md); when none has it, a fresh
    /// negotiation starts on the peer's shard.
    /// </summary>
    public async Task<ControlResponse> RekeyChildAsync(uint inboundSpi, string connection, string? child)
    {
        var rekeyed = await AnyShard(shard => shard.RekeyChildOnlyAsync(inboundSpi)).ConfigureAwait(false);
        return rekeyed.Ok ? rekeyed : await InitiateAsync(connection, child).ConfigureAwait(false);
    }

    /// <summary>Reauthenticates one ISAKMP SA now, on the shard that owns it (the new Phase 1 runs there: its peer's).</summary>
    public Task<ControlResponse> ReauthenticateAsync(ulong initiatorCookie, ulong responderCookie) =>
        AnyShard(shard => shard.ReauthenticateAsync(initiatorCookie, responderCookie));

    /// <summary>Every shard re-reads and applies the file; the first failure (or shard 0's summary) is the answer.</summary>
    public async Task<ControlResponse> ReloadAsync()
    {
        ControlResponse? first = null;
        foreach (var shard in _shards)
        {
            var response = await shard.ReloadAsync().ConfigureAwait(false);
            if (!response.Ok)
            {
                return response;
            }

            first ??= response;
        }

        return first ?? ControlResponse.Failure("no shard is running");
    }

    /// <summary>Asks every shard (the SA lives on one); success when one of them did it.</summary>
    private async Task<ControlResponse> AnyShard(Func<IkeDaemon, Task<ControlResponse>> command)
    {
        ControlResponse? failure = null;
        var answers = await Task.WhenAll(_shards.Select(command)).ConfigureAwait(false);
        foreach (var answer in answers)
        {
            if (answer.Ok)
            {
                return answer;
            }

            failure ??= answer;
        }

        return failure ?? ControlResponse.Failure("no shard is running");
    }

    public void Dispose()
    {
        _metrics?.Dispose();
        foreach (var transport in _transports)
        {
            transport.Dispose();
        }

        _transports.Clear();
        _dispatcherSockets?.Dispose();
        foreach (var inbox in _inboxes)
        {
            inbox.Dispose();
        }

        _inboxes.Clear();
    }
}
