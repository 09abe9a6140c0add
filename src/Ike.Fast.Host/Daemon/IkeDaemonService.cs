using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Installation;
using System.Runtime.InteropServices;
using Ike.Fast.Host.Sharding;
using Ike.Fast.Host.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// The generic-host service: binds the sockets and the control socket at start (so a bad address fails the start,
/// not later), runs the shards (<see cref="ShardedDaemon"/>: one <see cref="IkeDaemon"/> loop per core, each on its own
/// thread), and on Ctrl-C/SIGTERM stops the loops (they notice within <see cref="DaemonOptions.MaxWait"/>) and removes
/// the control socket.
/// </summary>
public sealed class IkeDaemonService(
    IkeFastConfiguration configuration,
    ISaInstaller installer,
    SaRegistry registry,
    DaemonOptions options,
    ILoggerFactory loggers,
    TimeProvider time,
    IHostApplicationLifetime? lifetime = null,
    Func<IkeFastConfiguration, ILogger, IDatagramTransport>? transportFactory = null,
    Func<IkeFastConfiguration>? reloader = null) : IHostedService, IAsyncDisposable
{
    private PosixSignalRegistration? _hangup;

    private readonly CancellationTokenSource _stopping = new();
    private ShardedDaemon? _sharded;
    private ControlServer? _control;
    private Exception? _failure;

    /// <summary>The bound UDP addresses (after <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<System.Net.IPEndPoint> LocalEndPoints => _sharded?.LocalEndPoints ?? [];

    /// <summary>Shard 0's loop (after <see cref="StartAsync"/>); the whole daemon with one shard (<see cref="Sharded"/> has them all).</summary>
    public IkeDaemon? Daemon { get; private set; }

    /// <summary>Every shard, the admission gate and the control target summing them (after <see cref="StartAsync"/>).</summary>
    public ShardedDaemon? Sharded => _sharded;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var sharded = new ShardedDaemon(configuration, installer, registry, options, loggers, time, transportFactory, reloader);
        _sharded = sharded;
        Daemon = sharded.Shards[0];
        if (reloader is not null && !OperatingSystem.IsWindows())
        {
            // SIGHUP = reload, as for charon/pluto and most Unix daemons; the default action (terminate) is cancelled.
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                _ = HangupAsync();
            });
        }

        _control = new ControlServer(configuration.Daemon.ControlSocket, registry,
            () => [.. sharded.LocalEndPoints.Select(e => e.ToString())], loggers.CreateLogger<ControlServer>(), sharded,
            configuration.Daemon.ControlGroup);
        _control.Start();
        sharded.Start(_stopping.Token, e =>
        {
            // A bug in a loop must not vanish with the thread, nor leave a daemon that answers status but no longer
            // negotiates: log it, stop the host (exit code 1); StopAsync rethrows it.
            _failure = e;
            loggers.CreateLogger<IkeDaemonService>().LogCritical(e, "daemon loop failed");
            Environment.ExitCode = 1;
            lifetime?.StopApplication();
        });
        return Task.CompletedTask;
    }

    /// <summary>What SIGHUP does: the same reload as <c>ikefast reload</c>, its outcome logged.</summary>
    public async Task<ControlResponse> HangupAsync()
    {
        var logger = loggers.CreateLogger<IkeDaemonService>();
        if (_sharded is not { } daemon)
        {
            return ControlResponse.Failure("the daemon is not running");
        }

        logger.LogInformation("SIGHUP: reloading the configuration");
        var response = await daemon.ReloadAsync().ConfigureAwait(false);
        if (!response.Ok)
        {
            logger.LogError("SIGHUP: reload failed: {Error}", response.Error);
        }

        return response;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_sharded is { } sharded)
        {
            await Task.Run(sharded.Join, cancellationToken).ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
        if (_failure is not null)
        {
            throw new InvalidOperationException("The daemon loop failed.", _failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _hangup?.Dispose();
        _hangup = null;
        if (_control is not null)
        {
            await _control.DisposeAsync().ConfigureAwait(false);
            _control = null;
        }

        _sharded?.Dispose();
        _sharded = null;
    }
}
