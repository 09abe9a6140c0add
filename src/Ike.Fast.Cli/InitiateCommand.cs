using System.CommandLine;
using Ike.Fast.Host.Control;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast initiate NAME[/CHILD]</c>: asks the daemon to bring up a connection (Phase 1 if there is none, then Quick
/// Mode for CHILD). Returns once the daemon has started the exchange, not when it completes (see <c>list-sas</c>).
/// </summary>
internal static class InitiateCommand
{
    public static Command Create()
    {
        var target = new Argument<string?>("NAME[/CHILD]")
        {
            Description = "The connection, optionally /CHILD (default: Phase 1 only, or as the engine decides).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var socket = ControlCommandSupport.SocketOption();
        var command = new Command("initiate", "Start a configured connection (and child) on the running daemon.") { target, socket };
        command.SetAction(async (result, cancel) =>
        {
            var value = result.GetValue(target);
            if (string.IsNullOrWhiteSpace(value))
            {
                return await ControlCommandSupport.UsageAsync(result, "initiate", "expected NAME or NAME/CHILD").ConfigureAwait(false);
            }

            var slash = value.IndexOf('/', StringComparison.Ordinal);
            var connection = slash < 0 ? value : value[..slash];
            var child = slash < 0 ? null : value[(slash + 1)..];
            if (connection.Length == 0 || child is { Length: 0 })
            {
                return await ControlCommandSupport.UsageAsync(result, "initiate", $"'{value}': expected NAME or NAME/CHILD").ConfigureAwait(false);
            }

            var answer = await ControlCommandSupport.AskAsync(result, "initiate", socket,
                new ControlRequest("initiate", connection, child)).ConfigureAwait(false);
            if (answer is null)
            {
                return ControlCommandSupport.ExitError;
            }

            result.InvocationConfiguration.Output.WriteLine($"initiating {value}");
            return ControlCommandSupport.ExitOk;
        });
        return command;
    }
}
