using System.Collections.Concurrent;
using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Transport;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// The single-threaded daemon loop around the sans-IO <see cref="Endpoint"/>: receive with a timeout equal to the
/// engine's next deadline, feed datagrams and timeouts in, then drain what the engine produced (datagrams to send,
/// events: SAs to install/delete, Phase 1 up/down, diagnostics). Nothing else touches the engine, so it needs no
/// locks; other threads (the control socket) reach it through <see cref="InitiateAsync"/>, <see cref="TerminateIkeAsync"/>
/// and <see cref="TerminateChildAsync"/>, which queue work for the loop.
/// </summary>
public sealed class IkeDaemon : IControlTarget
{
    /// <summary>IKE over UDP 4500 carries a four-byte zero non-ESP marker before the ISAKMP header (RFC 3948 section 2.2).</summary>
    public const int NatTraversalPort = 4500;

    private const int NonEspMarkerLength = 4;

    private IkeFastConfiguration _configuration;
    private readonly ReloadableSecretStore _secrets;
    private readonly List<IkeFastConfiguration> _reloaded = [];
    private long _reloads;
    private readonly IDatagramTransport _transport;
    private readonly ISaInstaller _installer;
    private readonly SaRegistry _registry;
    private readonly DaemonOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Endpoint _endpoint;
    private readonly DhCompletionPump _dhPump;
    private readonly SaLifetimes _lifetimes = new(engineManagesLifetimes: true);
    private readonly ConcurrentQueue<(Func<Endpoint, long, ControlResponse> Action, TaskCompletionSource<ControlResponse> Answer)> _commands = new();

    public IkeDaemon(
        IkeFastConfiguration configuration,
        IDatagramTransport transport,
        ISaInstaller installer,
        SaRegistry registry,
        DaemonOptions options,
        ILogger<IkeDaemon> logger,
        TimeProvider? time = null,
        IDhEngine? dh = null,
        IEngineRandom? random = null,
        EndpointOptions? endpointOptions = null)
    {
        _configuration = configuration;
        _transport = transport;
        _installer = installer;
        _registry = registry;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        _secrets = new ReloadableSecretStore(configuration.Secrets);
        if (configuration.XauthBackend is not null && endpointOptions?.XauthBackend is null)
        {
            // daemon.xauth_users: the engine checks XAUTH credentials against this backend.
            endpointOptions = (endpointOptions ?? new EndpointOptions()) with { XauthBackend = configuration.XauthBackend };
        }

        // The engine rekeys, reauthenticates and expires SAs itself (docs/rekeying.md); SaLifetimes stays idle.
        endpointOptions = (endpointOptions ?? new EndpointOptions()) with { ManageLifetimes = true };
        if (configuration.Daemon.FragmentSize > 0)
        {
            endpointOptions = endpointOptions with { FragmentSize = configuration.Daemon.FragmentSize };
        }
        var engine = dh ?? ConfiguredDhEngine.Create(configuration);
        _endpoint = new Endpoint(configuration.Connections, _secrets, engine, random ?? SystemEngineRandom.Instance, installer, endpointOptions);
        _dhPump = new DhCompletionPump(_endpoint, engine, ownsEngine: dh is null);
        if (transport is IWakeableTransport wakeable && DhCompletionPump.WakeEnabled)
        {
            // The DH worker wakes the loop through the transport's eventfd the moment a result is posted, so the loop
            // neither waits for the next datagram nor polls every millisecond while DH is outstanding.
            wakeable.PendingWork = _dhPump.HasCompletions;
            _endpoint.DhCompletions.Signal = wakeable.Wake;
            _dhPump.WokenByEngine = true;
        }
    }

    /// <summary>Diffie-Hellman operations outstanding (metrics; read from other threads, a torn read is harmless).</summary>
    internal long DhQueueDepth => _dhPump.QueueDepth;

    /// <summary>The DH batcher's lane counters, or null with a synchronous engine (metrics).</summary>
    internal Ike.Fast.Crypto.Batch.ModExpBatchCounters? DhBatchCounters => _dhPump.BatchCounters;
    /// <summary>
    /// The gate for new Phase 1s before the engine (Admission/), shared by every shard; null = everything goes to the
    /// engine. Set before <see cref="Run"/>.
    /// </summary>
    public Admission.AdmissionControl? Admission { get; set; }

    /// <summary>The engine's counters (read from other threads: the values are plain counters, torn reads are harmless).</summary>
    public EndpointCounters Counters => _endpoint.Counters;

    CountersStatus IControlTarget.Counters => new(Counters.Received, Counters.Sent, Counters.Dropped,
        Counters.Phase1Established, Counters.ChildSasEstablished);

    /// <summary>
    /// Loads the configuration again for <see cref="ReloadAsync"/> (the file, secrets and overrides <c>serve</c> was
    /// started with); null = reload refused. Throws <see cref="ConfigurationException"/> for an invalid file.
    /// </summary>
    public Func<IkeFastConfiguration>? Reloader { get; set; }

    StatsStatus? IControlTarget.Stats
    {
        get
        {
            var counters = _endpoint.Counters;
            var diagnostics = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var code in Enum.GetValues<DiagnosticCode>())
            {
                if (counters[code] is var count and > 0)
                {
                    diagnostics[code.ToString()] = count;
                }
            }

            return new StatsStatus((long)_time.GetElapsedTime(_origin).TotalSeconds, counters.Received, counters.Sent, counters.Dropped,
                counters.DiagnosticsSuppressed, counters.Phase1Established, counters.ChildSasEstablished, _registry.IkeCount,
                _registry.ChildCount, Volatile.Read(ref _configuration).Connections.Count, Interlocked.Read(ref _reloads), diagnostics);
        }
    }

    /// <summary>
    /// Re-reads the configuration (on the calling thread: file I/O stays off the loop) and applies it on the loop:
    /// new and changed connections and the secrets take effect for new negotiations, removed connections' SAs are
    /// deleted (the peer told), SAs of the other connections are left as they are. An invalid file changes nothing.
    /// </summary>
    public async Task<ControlResponse> ReloadAsync()
    {
        if (Reloader is not { } reload)
        {
            return ControlResponse.Failure("this daemon was not started from a configuration file; nothing to reload");
        }

        IkeFastConfiguration next;
        try
        {
            next = await Task.Run(reload).ConfigureAwait(false);
        }
        catch (ConfigurationException e)
        {
            var errors = string.Join("; ", e.Errors.Select(error => error.ToString()));
            _logger.LogWarning("reload refused, configuration kept: {Errors}", errors);
            return ControlResponse.Failure($"invalid configuration, nothing changed: {errors}");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException
                                      or System.Text.Json.JsonException or ArgumentException)
        {
            // A file that is not even JSON (or unreadable) fails in the configuration builder, before validation.
            _logger.LogWarning("reload refused, configuration kept: {Error}", e.Message);
            return ControlResponse.Failure($"invalid configuration, nothing changed: {e.Message}");
        }

        var applied = false;
        var response = await Invoke((endpoint, now) =>
        {
            applied = true;
            return Apply(next, endpoint, now);
        }).ConfigureAwait(false);
        if (!applied)
        {
            // The loop stopped before it got to the reload: the new configuration's secrets must not linger.
            next.Dispose();
        }

        return response;
    }

    /// <summary>
    /// Swaps the configuration on the loop thread. The engine takes its connections at construction and has no
    /// replace call yet, so the host edits the list the engine reads (<see cref="Endpoint.Connections"/>); it is
    /// only read on this thread.
    /// </summary>
    private ControlResponse Apply(IkeFastConfiguration next, Endpoint endpoint, long now)
    {
        if (endpoint.Connections is not List<PeerConfig> engineConnections)
        {
            next.Dispose();
            return ControlResponse.Failure("the engine's connection list cannot be replaced");
        }

        var previous = _configuration;
        var oldNames = previous.Connections.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var newNames = next.Connections.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var removed = oldNames.Except(newNames).Order(StringComparer.Ordinal).ToList();
        var added = newNames.Except(oldNames).Order(StringComparer.Ordinal).ToList();

        // Delete first, while the removed connections are still known to the engine (the Delete payloads need their SAs).
        var (ikeSas, childSas) = _registry.Snapshot();
        foreach (var child in childSas.Where(c => removed.Contains(c.Connection)))
        {
            _lifetimes.ChildDeleted(Convert.ToUInt32(child.SpiIn, 16));
            endpoint.DeleteChildSa(Convert.ToUInt32(child.SpiIn, 16), now);
        }

        foreach (var ike in ikeSas.Where(s => removed.Contains(s.Connection)))
        {
            var icookie = Convert.ToUInt64(ike.InitiatorCookie, 16);
            var rcookie = Convert.ToUInt64(ike.ResponderCookie, 16);
            _lifetimes.Phase1Down(icookie, rcookie);
            endpoint.DeletePhase1(icookie, rcookie, now);
        }

        engineConnections.Clear();
        engineConnections.AddRange(next.Connections);
        _secrets.Current = next.Secrets;
        Volatile.Write(ref _configuration, next);
        // Retired configurations may still back a negotiation in flight (a certificate's private key): they are
        // disposed (secrets zeroed) when the loop stops, not now.
        _reloaded.Add(next);
        Interlocked.Increment(ref _reloads);
        if (!previous.Daemon.Listen.SequenceEqual(next.Daemon.Listen) || previous.Daemon.ControlSocket != next.Daemon.ControlSocket)
        {
            _logger.LogWarning("reload: daemon.listen / daemon.control_socket changes need a restart");
        }

        // The peer's shard starts its children (every exchange with one peer runs on one shard: Sharding/ShardSteering).
        foreach (var (connection, child) in next.StartChildren().Where(s => IsPeerShard(s.Connection) && added.Contains(s.Connection.Name)))
        {
            if (!endpoint.Initiate(connection.Name, child.Name, now))
            {
                _logger.LogWarning("could not initiate {Connection}/{Child}", connection.Name, child.Name);
            }
        }

        var summary = $"{next.Connections.Count} connection(s); added: {Names(added)}; removed: {Names(removed)}; " +
                      $"kept or updated: {Names(newNames.Intersect(oldNames).Order(StringComparer.Ordinal))}";
        _logger.LogInformation("configuration reloaded: {Summary}", summary);
        return ControlResponse.Success with { Message = summary };
    }

    private static string Names(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "-";

    public Task<ControlResponse> InitiateAsync(string connection, string? child) => Invoke((endpoint, now) =>
    {
        var config = _configuration.Connections.FirstOrDefault(c => c.Name == connection);
        if (config is null)
        {
            return ControlResponse.Failure($"unknown connection '{connection}'");
        }

        if (child is not null && config.FindChild(child) is null)
        {
            return ControlResponse.Failure($"connection '{connection}' has no child '{child}'");
        }

        _logger.LogInformation("initiating {Connection}/{Child} (control socket)", connection, child);
        return endpoint.Initiate(connection, child, now)
            ? ControlResponse.Success
            : ControlResponse.Failure($"could not initiate {connection}{(child is null ? "" : "/" + child)}");
    });

    public Task<ControlResponse> TerminateIkeAsync(string connection) => Invoke((endpoint, now) =>
    {
        var deleted = 0;
        foreach (var sa in _registry.Snapshot().Ike.Where(s => s.Connection == connection))
        {
            if (endpoint.DeletePhase1(Convert.ToUInt64(sa.InitiatorCookie, 16), Convert.ToUInt64(sa.ResponderCookie, 16), now))
            {
                deleted++;
            }
        }

        _logger.LogInformation("terminate {Connection}: {Count} IKE SA(s) deleted (control socket)", connection, deleted);
        return deleted > 0 ? ControlResponse.Success : ControlResponse.Failure($"no IKE SA of connection '{connection}'");
    });

    public Task<ControlResponse> TerminateChildAsync(uint inboundSpi) => Invoke((endpoint, now) =>
        endpoint.DeleteChildSa(inboundSpi, now)
            ? ControlResponse.Success
            : ControlResponse.Failure($"no IPsec SA with inbound SPI {inboundSpi:x8}"));

    /// <summary>Reauthenticates one ISAKMP SA now (docs/rekeying.md; a sharded host asks every shard: the SA lives on one).</summary>
    internal Task<ControlResponse> ReauthenticateAsync(ulong initiatorCookie, ulong responderCookie) => Invoke((endpoint, now) =>
        endpoint.Reauthenticate(initiatorCookie, responderCookie, now)
            ? ControlResponse.Success
            : ControlResponse.Failure($"no established ISAKMP SA {initiatorCookie:x16}/{responderCookie:x16} to reauthenticate"));

    /// <summary>The pair's own rekey only, no fallback (a sharded host asks every shard: the pair lives on one).</summary>
    internal Task<ControlResponse> RekeyChildOnlyAsync(uint inboundSpi) => Invoke((endpoint, now) =>
        endpoint.RekeyChildSa(inboundSpi, now)
            ? ControlResponse.Success
            : ControlResponse.Failure($"no IPsec SA with inbound SPI {inboundSpi:x8} to rekey"));

    /// <summary>The pair's own rekey (its negotiated selectors, over the newest ISAKMP SA; docs/rekeying.md).</summary>
    public Task<ControlResponse> RekeyChildAsync(uint inboundSpi, string connection, string? child) => Invoke((endpoint, now) =>
        endpoint.RekeyChildSa(inboundSpi, now) || endpoint.Initiate(connection, child, now)
            ? ControlResponse.Success
            : ControlResponse.Failure($"no IPsec SA with inbound SPI {inboundSpi:x8} to rekey"));

    /// <summary>Runs <paramref name="action"/> on the loop thread and completes with its answer.</summary>
    private Task<ControlResponse> Invoke(Func<Endpoint, long, ControlResponse> action)
    {
        var answer = new TaskCompletionSource<ControlResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Enqueue((action, answer));
        return answer.Task;
    }

    /// <summary>Runs until <paramref name="cancel"/> fires. Blocks the calling thread.</summary>
    public void Run(CancellationToken cancel)
    {
        var receiveBuffer = GC.AllocateUninitializedArray<byte>(_options.DatagramBufferSize);
        var sendBuffer = GC.AllocateUninitializedArray<byte>(NonEspMarkerLength + _options.DatagramBufferSize);
        _logger.LogInformation("listening on {Listen}; {Connections} connection(s), {Secrets} secret(s)",
            string.Join(", ", _transport.LocalEndPoints), _configuration.Connections.Count, _configuration.SecretCount);

        StartConfiguredChildren();

        Drain(sendBuffer);
        while (!cancel.IsCancellationRequested)
        {
            // One clock read for the steps of an iteration before it waits (milliseconds: they take microseconds); the
            // loop read it three times per datagram (issue #8). Receive reads it again after the wait.
            var now = Now();
            while (_commands.TryDequeue(out var command))
            {
                try
                {
                    command.Answer.SetResult(command.Action(_endpoint, now));
                }
                catch (Exception e)
                {
                    command.Answer.SetException(e);
                }
            }

            if (_dhPump.Pump(now))
            {
                Drain(sendBuffer); // exchanges resumed with their Diffie-Hellman results
            }

            if (CrossShard is { } cross && cross.Pump(_endpoint, this, now))
            {
                Drain(sendBuffer); // another shard's peer came up: its old SAs here handed over or dropped
            }

            var engineDeadline = _endpoint.PollTimeout();
            if (engineDeadline is { } due && due <= now)
            {
                _endpoint.HandleTimeout(now);
                Drain(sendBuffer);
                continue;
            }

            if (_lifetimes.TryTakeDue(now, out var lifetime))
            {
                Expire(lifetime, now);
                Drain(sendBuffer);
                continue;
            }

            var deadline = Earliest(engineDeadline, _lifetimes.NextDue);

            var wait = deadline is { } next
                ? TimeSpan.FromMilliseconds(Math.Min(next - now, (long)_options.MaxWait.TotalMilliseconds))
                : _options.MaxWait;
            wait = _dhPump.BoundWait(wait);
            if (_installer.HeldBackFor is { } held && held < wait)
            {
                wait = held; // removals waiting to share the next install's netlink message (Kernel/XfrmSaInstaller)
            }

            if (_transport.TryReceive(receiveBuffer, wait, out var datagram))
            {
                Receive(receiveBuffer.AsSpan(0, datagram.Length), datagram);
            }

            Drain(sendBuffer);
            _installer.Flush(dueOnly: true);
        }

        _installer.Flush(dueOnly: false);

        while (_commands.TryDequeue(out var late))
        {
            late.Answer.SetResult(ControlResponse.Failure("the daemon is stopping"));
        }

        _logger.LogInformation("stopping: {Ike} IKE SA(s), {Child} IPsec SA(s) up", _registry.IkeCount, _registry.ChildCount);
        _dhPump.Dispose();
        foreach (var reloaded in _reloaded)
        {
            reloaded.Dispose();
        }
    }

    /// <summary>Initiates the children whose <c>start_action=start</c> (Phase 1 first when there is none yet).</summary>
    private void StartConfiguredChildren()
    {
        foreach (var (connection, child) in _configuration.StartChildren().Where(s => IsPeerShard(s.Connection)))
        {
            var started = _endpoint.Initiate(connection.Name, child.Name, Now());
            if (started)
            {
                _logger.LogInformation("initiating {Connection}/{Child} to {Remote} ({Mode} Mode)", connection.Name, child.Name,
                    connection.RemoteAddress, connection.Mode);
            }
            else
            {
                _logger.LogWarning("could not initiate {Connection}/{Child}", connection.Name, child.Name);
            }
        }
    }

    private static long? Earliest(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    /// <summary>Acts on a rekey/expiry deadline (the engine leaves lifetimes to the host).</summary>
    private void Expire(LifetimeDeadline deadline, long now)
    {
        switch (deadline.Action)
        {
            case LifetimeAction.RekeyChild:
                _logger.LogInformation("rekeying {Connection}/{Child} (SPI in {SpiIn:x8})", deadline.Connection, deadline.Child, deadline.InboundSpi);
                if (!_endpoint.Initiate(deadline.Connection, deadline.Child, now))
                {
                    _logger.LogWarning("could not rekey {Connection}/{Child}", deadline.Connection, deadline.Child);
                }

                break;
            case LifetimeAction.ExpireChild:
                _logger.LogInformation("{Connection}/{Child} SPI in {SpiIn:x8} expired", deadline.Connection, deadline.Child, deadline.InboundSpi);
                _lifetimes.ChildDeleted(deadline.InboundSpi);
                _endpoint.DeleteChildSa(deadline.InboundSpi, now);
                break;
            case LifetimeAction.ExpirePhase1:
                _logger.LogInformation("IKE SA {Connection} {Icookie:x16}/{Rcookie:x16} expired", deadline.Connection,
                    deadline.InitiatorCookie, deadline.ResponderCookie);
                _lifetimes.Phase1Down(deadline.InitiatorCookie, deadline.ResponderCookie);
                _endpoint.DeletePhase1(deadline.InitiatorCookie, deadline.ResponderCookie, now);
                break;
        }
    }

    private void Receive(ReadOnlySpan<byte> received, ReceivedDatagram datagram)
    {
        if (datagram.Local.Port == NatTraversalPort)
        {
            if (received.Length < NonEspMarkerLength || received[..NonEspMarkerLength].IndexOfAnyExcept((byte)0) >= 0)
            {
                // A NAT-keepalive (one 0xFF byte, RFC 3948 section 2.3) or ESP-in-UDP, which is the kernel's business.
                _logger.LogDebug("recv {Remote} -> {Local} {Length} bytes: not IKE (keepalive or ESP), ignored",
                    datagram.Remote, datagram.Local, received.Length);
                return;
            }

            received = received[NonEspMarkerLength..];
        }

        if (Admission is { } admission
            && !admission.Admit(received, datagram.Remote, _transport is ITransportBacklog { IsBehind: true }, admission.NowMs))
        {
            // A new Phase 1 refused before it costs state or a DH computation (counted and logged by the gate).
            return;
        }

        LogDatagram("recv", datagram.Remote, datagram.Local, received);

        _endpoint.Handle(Now(), datagram.Local, datagram.Remote, received);
    }

    /// <summary>
    /// Per-datagram lines (summary and bytes) at Debug: at Information the log holds one line per completed exchange
    /// step or SA event (IKE SA up/down, IPsec SA installed/deleted, failures), not one per message, so a busy
    /// responder does not spend its CPU on console output (issue #4; <c>ikefast serve --log-level</c>).
    /// </summary>
    private void LogDatagram(string direction, IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> message)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("{Direction} {From} -> {To} {Summary} ({Length} bytes)", direction, from, to,
                DatagramDump.Summary(message), message.Length);
            _logger.LogDebug("{Direction} bytes: {Hex}", direction, DatagramDump.Hex(message));
        }
    }

    private long Now() => (long)_time.GetElapsedTime(_origin).TotalMilliseconds;

    private void Drain(byte[] sendBuffer)
    {
        // Events first: an IPsec SA is installed before the message that completes its Quick Mode leaves, so the
        // inbound SA exists when the peer starts sending on it; and the log reads in protocol order.
        while (_endpoint.PollEvent(out var engineEvent))
        {
            Dispatch(engineEvent);
        }

        // The engine writes after room for the non-ESP marker, so adding it costs no copy.
        while (_endpoint.PollTransmit(sendBuffer.AsSpan(NonEspMarkerLength), out var transmit))
        {
            var message = sendBuffer.AsSpan(NonEspMarkerLength, transmit.Length);
            IPEndPoint from;
            if (!transmit.IsNatKeepalive && (transmit.Local.Port == NatTraversalPort || transmit.Remote.Port == NatTraversalPort))
            {
                sendBuffer.AsSpan(0, NonEspMarkerLength).Clear();
                from = _transport.Send(sendBuffer.AsSpan(0, NonEspMarkerLength + transmit.Length), transmit.Local, transmit.Remote);
            }
            else
            {
                from = _transport.Send(message, transmit.Local, transmit.Remote);
            }

            LogDatagram("send", from, transmit.Remote, message);
        }
    }

    private void Dispatch(EngineEvent e)
    {
        switch (e.Kind)
        {
            case EngineEventKind.Phase1Up:
                Admission?.Established(e.InitiatorCookie);
                _lifetimes.Phase1Up(e.Connection ?? "", e.InitiatorCookie, e.ResponderCookie, Phase1Lifetime(e), Now());
                _registry.AddIke(e.Connection ?? "", e.InitiatorCookie, e.ResponderCookie, LocalFor(e), e.Peer, e.RemoteIdentity,
                    e.IsInitiator, e.Message, _time.GetUtcNow().ToUnixTimeSeconds());
                RefreshIke(e);
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    // Guarded: the boxed arguments cost an allocation per SA even when the level is off.
                    _logger.LogInformation("IKE SA {Connection} established with {Peer} ({Role}) id {RemoteId} cookies {Icookie:x16}/{Rcookie:x16} {Message}",
                        e.Connection, e.Peer, e.IsInitiator ? "initiator" : "responder", e.RemoteIdentity, e.InitiatorCookie,
                        e.ResponderCookie, e.Message);
                }

                CrossShard?.Established(e, _endpoint, this, Now());
                break;
            case EngineEventKind.Phase1Down:
                Admission?.Established(e.InitiatorCookie);
                _lifetimes.Phase1Down(e.InitiatorCookie, e.ResponderCookie);
                _registry.RemoveIke(e.InitiatorCookie, e.ResponderCookie);
                CrossShard?.Gone(e);
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation("IKE SA {Connection} with {Peer} down cookies {Icookie:x16}/{Rcookie:x16} {Diagnostic} {Message}",
                        e.Connection, e.Peer, e.InitiatorCookie, e.ResponderCookie, e.Diagnostic, e.Message);
                }
                break;
            case EngineEventKind.InstallChildSa when e.ChildSa is { } sa:
                try
                {
                    _installer.Install(sa);
                    _registry.AddChild(sa, _time.GetUtcNow().ToUnixTimeSeconds());
                    RefreshIke(e);
                    if (!_lifetimes.EngineManagesLifetimes)
                    {
                        _lifetimes.ChildInstalled(sa, e.IsInitiator, ConfiguredChild(sa), Now());
                    }
                }
                finally
                {
                    // The installer has copied what it needs; the engine's copy of the keys must not linger.
                    sa.ClearKeys();
                }

                break;
            case EngineEventKind.DeleteChildSa when e.ChildSa is { } sa:
                _lifetimes.ChildDeleted(sa.InboundSpi);
                _installer.Delete(sa);
                _registry.RemoveChild(sa.InboundSpi);

                // Nothing here keeps it any longer (registry and memory installer rows are gone): the engine's next
                // Quick Mode reuses the object and its key arrays (Endpoint.ReturnChildSa).
                _endpoint.ReturnChildSa(sa);
                break;
            case EngineEventKind.ConfigurationReceived:
                LogDiagnostic(e);
                RefreshIke(e);
                break;
            case EngineEventKind.Diagnostic when e.Diagnostic == DiagnosticCode.XauthSucceeded:
                LogDiagnostic(e);
                RefreshIke(e);
                break;
            case EngineEventKind.PeerEndpointChanged:
                LogDiagnostic(e);
                RefreshIke(e);
                CrossShard?.Followed(e);
                // UDP-encapsulated SAs follow the peer's new NAT mapping (Installation/EncapsulationFollower.cs).
                EncapsulationFollower.Follow(e, _endpoint.GetSaStatus(), _installer, spi => _endpoint.RekeyChildSa(spi, Now()));
                break;
            default:
                LogDiagnostic(e);
                break;
        }
    }

    /// <summary>
    /// The child configuration of an installed pair. A method of its own: a lambda capturing <c>sa</c> inside
    /// <see cref="Dispatch"/> made the compiler allocate its closure on every event, whichever the kind.
    /// </summary>
    private ChildConfig? ConfiguredChild(ChildSaInfo sa) =>
        _configuration.Connections.FirstOrDefault(c => c.Name == sa.Connection)?.FindChild(sa.Child);

    /// <summary>
    /// The road-warrior fields of an ISAKMP SA's status row (NAT state, encapsulation, Mode-Config lease, XAUTH user,
    /// the peer's current endpoint), learnt after Phase1Up: read from the engine for that SA only.
    /// </summary>
    private void RefreshIke(EngineEvent e)
    {
        // The engine's fields only (no status record per event: this runs for every SA and child installed).
        if (_endpoint.TryGetPeerState(e.InitiatorCookie, e.ResponderCookie, out var remote, out var nat, out var encapsulated,
                out var virtualIps, out var xauthUser))
        {
            _registry.UpdateIke(e.InitiatorCookie, e.ResponderCookie, remote!, nat, encapsulated, virtualIps, xauthUser);
        }
    }

    /// <summary>The negotiated ISAKMP SA lifetime, carried by the Phase1Up event (a status snapshot per SA cost O(SAs)).</summary>
    private static long Phase1Lifetime(EngineEvent e) => e.LifetimeSeconds;

    private void LogDiagnostic(EngineEvent e)
    {
        // Retransmissions and duplicates are routine; everything else is a step or a failure worth a line.
        var level = e.Diagnostic is DiagnosticCode.Retransmission or DiagnosticCode.Duplicate ? LogLevel.Debug : LogLevel.Information;
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        _logger.Log(level, "{Connection} {Peer} {Diagnostic} {Notify} {Message}", e.Connection, e.Peer, e.Diagnostic,
            e.Notify == 0 ? "" : e.Notify.ToString(), e.Message);
    }

    /// <summary>The configuration in force (a sharded host routes initiations by its connections' peers).</summary>
    internal IkeFastConfiguration Configuration => Volatile.Read(ref _configuration);

    /// <summary>
    /// The peer-level rules across shards (Sharding/CrossShardPeers): set by a sharded host with more than one shard
    /// before <see cref="Run"/>; null = this loop sees every SA of its peers.
    /// </summary>
    internal Sharding.CrossShardPeers? CrossShard { get; set; }

    /// <summary>A pair handed over between shards that no ISAKMP SA took: out of the kernel and the tables (loop thread).</summary>
    internal void DropHandedOverPair(ChildSaInfo sa)
    {
        _logger.LogWarning("{Connection}/{Child} SPI in {SpiIn:x8}: handed over between shards but not adopted, deleted", sa.Connection,
            sa.Child, sa.InboundSpi);
        _installer.Delete(sa);
        _registry.RemoveChild(sa.InboundSpi);
        _endpoint.ReturnChildSa(sa);
    }

    /// <summary>
    /// Pairs adopted from another shard follow the new ISAKMP SA's peer endpoint as on a NAT change
    /// (<see cref="EncapsulationFollower"/>): ESP-in-UDP ports updated, a pair still at another address rekeyed.
    /// </summary>
    internal void FollowAdoptedPairs(ulong initiatorCookie, ulong responderCookie, IEnumerable<ChildSaInfo> pairs)
    {
        if (_endpoint.TryGetPeerState(initiatorCookie, responderCookie, out var remote, out _, out _, out _, out _) && remote is not null)
        {
            EncapsulationFollower.FollowChildren(pairs, remote, _installer, spi => _endpoint.RekeyChildSa(spi, Now()));
        }
    }

    /// <summary>The engine's own view of its SAs, read on the loop (tests: which ISAKMP SA holds which pairs).</summary>
    internal Task<IReadOnlyList<Ike.Fast.Protocol.IkeSaStatus>> EngineStatusAsync()
    {
        var answer = new TaskCompletionSource<IReadOnlyList<Ike.Fast.Protocol.IkeSaStatus>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Invoke((endpoint, _) =>
        {
            answer.SetResult(endpoint.GetSaStatus());
            return ControlResponse.Success;
        });
        return answer.Task;
    }

    /// <summary>Whether the engine has an SA with these cookies (the sharded transport's ownership check; loop thread).</summary>
    internal bool HasSa(ulong initiatorCookie, ulong responderCookie) => _endpoint.HasSa(initiatorCookie, responderCookie);

    /// <summary>Whether exchanges with <paramref name="connection"/>'s peer run on this shard (always with one shard).</summary>
    private bool IsPeerShard(Ike.Fast.Policy.PeerConfig connection) =>
        Sharding.ShardSteering.ShardOfPeer(connection.RemoteAddress, _options.ShardCount, _options.SteeringSeed ?? 0) == _options.ShardIndex;

    /// <summary>The SA's real local end (the 4500 endpoint of a NAT-T SA), else the first listen address of the family.</summary>
    private IPEndPoint? LocalFor(in EngineEvent e) => _endpoint.LocalEndPointOf(e.InitiatorCookie, e.ResponderCookie) ?? LocalFor(e.Peer);

    private IPEndPoint? LocalFor(IPEndPoint? peer)
    {
        // Indexed: foreach over the IReadOnlyList boxed its enumerator on every Phase1Up.
        var locals = _transport.LocalEndPoints;
        for (var i = 0; i < locals.Count; i++)
        {
            if (peer is null || locals[i].AddressFamily == peer.AddressFamily)
            {
                return locals[i];
            }
        }

        return null;
    }
}
