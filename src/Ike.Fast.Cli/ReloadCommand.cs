using System.CommandLine;
using Ike.Fast.Host.Control;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast reload</c>: the daemon re-reads its configuration file and secrets (as SIGHUP does). New and changed
/// connections apply to new negotiations, removed connections' SAs are deleted, other SAs stay up. An invalid file is
/// reported (exit 1) and the running configuration kept.
/// </summary>
internal static class ReloadCommand
{
    public static Command Create()
    {
        var socket = ControlCommandSupport.SocketOption();
        var command = new Command("reload", "Re-read the running daemon's configuration file and secrets.") { socket };
        command.SetAction(async (result, cancel) =>
        {
            var answer = await ControlCommandSupport.AskAsync(result, "reload", socket, new ControlRequest("reload")).ConfigureAwait(false);
            if (answer is not { } ok)
            {
                return ControlCommandSupport.ExitError;
            }

            result.InvocationConfiguration.Output.WriteLine($"reloaded: {ok.Response.Message}");
            return ControlCommandSupport.ExitOk;
        });
        return command;
    }
}
