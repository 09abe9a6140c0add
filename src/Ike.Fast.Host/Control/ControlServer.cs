using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Control;

/// <summary>
/// The local control socket (a Unix domain stream socket, mode 0660 so that a group can be given access) serving
/// line-delimited JSON: one request object per line in, one response object per line out. Runs on the thread pool,
/// never on the daemon loop; it only reads <see cref="SaRegistry"/> snapshots.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary>Longest request line accepted: requests are tiny; a client sending more is cut off.</summary>
    public const int MaxRequestBytes = 4096;

    private const UnixFileMode SocketMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private readonly string _path;
    private readonly SaRegistry _registry;
    private readonly Func<IReadOnlyList<string>> _listen;
    private readonly ILogger _logger;
    private readonly IControlTarget? _target;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _acceptLoop;

    private readonly string? _group;

    /// <param name="target">The daemon, for initiate/terminate; null serves status only.</param>
    /// <param name="group"><c>daemon.control_group</c>: the socket's group (name or gid); null keeps the daemon's own.</param>
    public ControlServer(string path, SaRegistry registry, Func<IReadOnlyList<string>> listen, ILogger logger,
        IControlTarget? target = null, string? group = null)
    {
        _group = group;
        _target = target;
        _path = path;
        _registry = registry;
        _listen = listen;
        _logger = logger;
    }

    public string Path => _path;

    /// <summary>Binds the socket (replacing a stale file left by a crashed daemon) and starts accepting.</summary>
    public void Start()
    {
        var directory = System.IO.Path.GetDirectoryName(_path);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The control socket needs Unix file modes.");
        }

        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                                 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
        else
        {
            directory = null;
        }

        if (File.Exists(_path))
        {
            if (IsServed(_path))
            {
                throw new InvalidOperationException($"Another ikefast daemon is serving the control socket {_path}.");
            }

            File.Delete(_path);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_path));
        File.SetUnixFileMode(_path, SocketMode);
        if (_group is not null)
        {
            try
            {
                ControlSocketGroup.Apply(_path, _group);
                if (directory is not null)
                {
                    // A folder the daemon made (0750) must let the group through to the socket too.
                    ControlSocketGroup.Apply(directory, _group);
                }
            }
            catch
            {
                listener.Dispose();
                File.Delete(_path);
                throw;
            }
        }

        listener.Listen(16);
        _listener = listener;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stop.Token));
        _logger.LogInformation("control socket {Path}", _path);
    }

    private static bool IsServed(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task AcceptLoopAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client, cancel), cancel);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancel)
    {
        using var _ = client;
        await using var stream = new NetworkStream(client, ownsSocket: false);
        var buffer = new byte[MaxRequestBytes];
        var filled = 0;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', 0, filled);
                if (newline < 0)
                {
                    if (filled == buffer.Length)
                    {
                        await WriteAsync(stream, ControlResponse.Failure("request line too long"), cancel).ConfigureAwait(false);
                        return;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(filled), cancel).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    continue;
                }

                var response = await AnswerAsync(buffer.AsMemory(0, newline)).ConfigureAwait(false);
                await WriteAsync(stream, response, cancel).ConfigureAwait(false);
                Buffer.BlockCopy(buffer, newline + 1, buffer, 0, filled - newline - 1);
                filled -= newline + 1;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            _logger.LogDebug("control client gone: {Message}", e.Message);
        }
    }

    /// <summary>Answers one request line.</summary>
    internal async Task<ControlResponse> AnswerAsync(ReadOnlyMemory<byte> line)
    {
        ControlRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(line.Span, ControlJsonContext.Default.ControlRequest);
        }
        catch (JsonException e)
        {
            return ControlResponse.Failure($"invalid request: {e.Message}");
        }

        switch (request?.Command)
        {
            case "status":
                var (ike, child) = _registry.Snapshot();
                return new ControlResponse(true, null, typeof(ControlServer).Assembly.GetName().Version?.ToString(),
                    _listen(), ike, child, _target?.Counters);
            case "initiate" when _target is not null:
                return string.IsNullOrEmpty(request.Connection)
                    ? ControlResponse.Failure("initiate needs \"connection\" (and optionally \"child\")")
                    : await _target.InitiateAsync(request.Connection, request.Child).ConfigureAwait(false);
            case "terminate" when _target is not null:
                if (request.SpiIn is { } spi)
                {
                    return uint.TryParse(spi, System.Globalization.NumberStyles.HexNumber, null, out var inbound)
                        ? await _target.TerminateChildAsync(inbound).ConfigureAwait(false)
                        : ControlResponse.Failure($"invalid spi_in '{spi}' (8 hex digits)");
                }

                return string.IsNullOrEmpty(request.Connection)
                    ? ControlResponse.Failure("terminate needs \"connection\" or \"spi_in\"")
                    : await _target.TerminateIkeAsync(request.Connection).ConfigureAwait(false);
            case "stats" when _target is not null:
                return _target.Stats is { } stats
                    ? ControlResponse.Success with { Stats = stats }
                    : ControlResponse.Failure("this daemon keeps no statistics");
            case "reload" when _target is not null:
                return await _target.ReloadAsync().ConfigureAwait(false);
            case null:
                return ControlResponse.Failure("missing \"command\"");
            default:
                return ControlResponse.Failure($"unknown command '{request.Command}' (supported: status{(_target is null ? "" : ", initiate, terminate, stats, reload")})");
        }
    }

    private static async Task WriteAsync(NetworkStream stream, ControlResponse response, CancellationToken cancel)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        await stream.WriteAsync(line, cancel).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        if (_listener is not null)
        {
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
                // Best effort: a stale file is replaced by the next daemon anyway.
            }
        }

        _stop.Dispose();
    }
}
