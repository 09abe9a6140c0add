using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;

namespace Ike.Fast.Cli;

/// <summary>
/// What the control-socket subcommands (list-sas, initiate, terminate, reload, stats) share: the <c>--control-socket</c>
/// option and one request/answer round trip with the exit codes 0 ok, 1 daemon unreachable or error, 2 usage.
/// </summary>
internal static class ControlCommandSupport
{
    public const int ExitOk = 0;
    public const int ExitError = 1;
    public const int ExitUsage = 2;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Option<string?> SocketOption() => new("--control-socket", "--socket")
    {
        Description = "The daemon's control socket (default as for serve).",
    };

    /// <summary>Sends <paramref name="request"/>; on failure prints <c>ikefast NAME: ...</c> to stderr and returns null.</summary>
    public static async Task<(ControlResponse Response, string Line)?> AskAsync(ParseResult result, string name, Option<string?> socket,
        ControlRequest request)
    {
        var path = result.GetValue(socket) ?? DaemonSettings.DefaultControlSocket();
        var error = result.InvocationConfiguration.Error;
        string line;
        try
        {
            line = await ControlClient.QueryAsync(path, JsonSerializer.Serialize(request, ControlJsonContext.Default.ControlRequest), Timeout)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            await error.WriteLineAsync($"ikefast {name}: cannot reach the daemon at {path}: {e.Message}").ConfigureAwait(false);
            return null;
        }

        ControlResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse);
        }
        catch (JsonException e)
        {
            await error.WriteLineAsync($"ikefast {name}: unreadable answer from the daemon: {e.Message}").ConfigureAwait(false);
            return null;
        }

        if (response is null || !response.Ok)
        {
            await error.WriteLineAsync($"ikefast {name}: {response?.Error ?? "empty answer"}").ConfigureAwait(false);
            return null;
        }

        return (response, line);
    }

    /// <summary>A usage error: the message and exit code 2.</summary>
    public static async Task<int> UsageAsync(ParseResult result, string name, string message)
    {
        await result.InvocationConfiguration.Error.WriteLineAsync($"ikefast {name}: {message}").ConfigureAwait(false);
        return ExitUsage;
    }
}
