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
/// locks; other threads reach it through <see cref="Post"/>.
/// </summary>
public sealed class IkeDaemon
{
    private readonly IkeFastConfiguration _configuration;
    private readonly IDatagramTransport _transport;
    private readonly ISaInstaller _installer;
    private readonly SaRegistry _registry;
    private readonly DaemonOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Endpoint _endpoint;
    private readonly ConcurrentQueue<Action<Endpoint, long>> _commands = new();

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
        _endpoint = new Endpoint(configuration.Connections, configuration.Secrets, dh ?? new ScalarDhEngine(),
            random ?? SystemEngineRandom.Instance, installer, endpointOptions);
    }

    /// <summary>The engine's counters (read from other threads: the values are plain counters, torn reads are harmless).</summary>
    public EndpointCounters Counters => _endpoint.Counters;

    /// <summary>Queues work to run on the loop thread (e.g. a control-socket "initiate").</summary>
    public void Post(Action<Endpoint, long> command) => _commands.Enqueue(command);

    /// <summary>Runs until <paramref name="cancel"/> fires. Blocks the calling thread.</summary>
    public void Run(CancellationToken cancel)
    {
        var receiveBuffer = GC.AllocateUninitializedArray<byte>(_options.DatagramBufferSize);
        var sendBuffer = GC.AllocateUninitializedArray<byte>(_options.DatagramBufferSize);
        _logger.LogInformation("listening on {Listen}; {Connections} connection(s), {Secrets} secret(s)",
            string.Join(", ", _transport.LocalEndPoints), _configuration.Connections.Count, _configuration.SecretCount);

        StartConfiguredChildren();
        Drain(sendBuffer);
        while (!cancel.IsCancellationRequested)
        {
            while (_commands.TryDequeue(out var command))
            {
                command(_endpoint, Now());
            }

            var now = Now();
            var deadline = _endpoint.PollTimeout();
            if (deadline is { } due && due <= now)
            {
                _endpoint.HandleTimeout(now);
                Drain(sendBuffer);
                continue;
            }

            var wait = deadline is { } next
                ? TimeSpan.FromMilliseconds(Math.Min(next - now, (long)_options.MaxWait.TotalMilliseconds))
                : _options.MaxWait;
            if (_transport.TryReceive(receiveBuffer, wait, out var datagram))
            {
                var received = receiveBuffer.AsSpan(0, datagram.Length);
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug("recv {Remote} -> {Local} {Length} bytes: {Dump}", datagram.Remote, datagram.Local,
                        datagram.Length, DatagramDump.Describe(received));
                }

                _endpoint.Handle(Now(), datagram.Local, datagram.Remote, received);
            }

            Drain(sendBuffer);
        }

        _logger.LogInformation("stopping: {Ike} IKE SA(s), {Child} IPsec SA(s) up", _registry.IkeCount, _registry.ChildCount);
    }

    /// <summary>Initiates the children whose <c>start_action=start</c> (Phase 1 first when there is none yet).</summary>
    private void StartConfiguredChildren()
    {
        foreach (var (connection, child) in _configuration.StartChildren())
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

    private long Now() => (long)_time.GetElapsedTime(_origin).TotalMilliseconds;

    private void Drain(byte[] sendBuffer)
    {
        while (_endpoint.PollTransmit(sendBuffer, out var transmit))
        {
            var datagram = sendBuffer.AsSpan(0, transmit.Length);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("send {Local} -> {Remote} {Length} bytes: {Dump}", transmit.Local, transmit.Remote,
                    transmit.Length, DatagramDump.Describe(datagram));
            }

            _transport.Send(datagram, transmit.Local, transmit.Remote);
        }

        while (_endpoint.PollEvent(out var engineEvent))
        {
            Dispatch(engineEvent);
        }
    }

    private void Dispatch(EngineEvent e)
    {
        switch (e.Kind)
        {
            case EngineEventKind.Phase1Up:
                _registry.AddIke(new IkeSaStatus(e.Connection ?? "", e.InitiatorCookie.ToString("x16"),
                    e.ResponderCookie.ToString("x16"), LocalFor(e.Peer), e.Peer?.ToString() ?? "", e.RemoteIdentity?.ToString(),
                    e.IsInitiator, "established", e.Message, _time.GetUtcNow().ToUnixTimeSeconds(), 0));
                _logger.LogInformation("IKE SA {Connection} established with {Peer} ({Role}) id {RemoteId} cookies {Icookie:x16}/{Rcookie:x16} {Message}",
                    e.Connection, e.Peer, e.IsInitiator ? "initiator" : "responder", e.RemoteIdentity, e.InitiatorCookie,
                    e.ResponderCookie, e.Message);
                break;
            case EngineEventKind.Phase1Down:
                _registry.RemoveIke(e.InitiatorCookie.ToString("x16"), e.ResponderCookie.ToString("x16"));
                _logger.LogInformation("IKE SA {Connection} with {Peer} down cookies {Icookie:x16}/{Rcookie:x16} {Diagnostic} {Message}",
                    e.Connection, e.Peer, e.InitiatorCookie, e.ResponderCookie, e.Diagnostic, e.Message);
                break;
            case EngineEventKind.InstallChildSa when e.ChildSa is { } sa:
                try
                {
                    _installer.Install(sa);
                    _registry.AddChild(Status(sa));
                }
                finally
                {
                    // The installer has copied what it needs; the engine's copy of the keys must not linger.
                    sa.ClearKeys();
                }

                break;
            case EngineEventKind.DeleteChildSa when e.ChildSa is { } sa:
                _installer.Delete(sa);
                _registry.RemoveChild(sa.InboundSpi.ToString("x8"));
                break;
            default:
                LogDiagnostic(e);
                break;
        }
    }

    private void LogDiagnostic(EngineEvent e)
    {
        // Retransmissions and duplicates are routine; everything else is a step or a failure worth a line.
        var level = e.Diagnostic is DiagnosticCode.Retransmission or DiagnosticCode.Duplicate ? LogLevel.Debug : LogLevel.Information;
        _logger.Log(level, "{Connection} {Peer} {Diagnostic} {Notify} {Message}", e.Connection, e.Peer, e.Diagnostic,
            e.Notify == 0 ? "" : e.Notify.ToString(), e.Message);
    }

    private string LocalFor(IPEndPoint? peer)
    {
        foreach (var local in _transport.LocalEndPoints)
        {
            if (peer is null || local.AddressFamily == peer.AddressFamily)
            {
                return local.ToString();
            }
        }

        return "";
    }

    private ChildSaStatus Status(ChildSaInfo sa) => new(
        sa.Connection, sa.Child, sa.Protocol.ToString().ToLowerInvariant(), sa.Mode.ToString().ToLowerInvariant(),
        sa.LocalAddress.ToString(), sa.RemoteAddress.ToString(), sa.InboundSpi.ToString("x8"), sa.OutboundSpi.ToString("x8"),
        sa.Protocol == IpsecProtocol.Esp ? $"{sa.Encryption}-{sa.EncryptionKeyBits}" : "none",
        sa.Integrity?.ToString(), sa.PfsGroup?.ToString(), sa.LocalTs.ToString(), sa.RemoteTs.ToString(),
        sa.LifetimeSeconds, _time.GetUtcNow().ToUnixTimeSeconds(), 0);
}
