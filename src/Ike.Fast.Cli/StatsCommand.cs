using System.CommandLine;
using Ike.Fast.Host.Control;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast stats [--json]</c>: the engine's counters since start (datagrams, handshakes), SAs up now and the
/// diagnostics by code. <c>--json</c> prints the daemon's answer line as is.
/// </summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the raw JSON answer (one line)." };
        var socket = ControlCommandSupport.SocketOption();
        var command = new Command("stats", "Show the running daemon's counters and diagnostics.") { json, socket };
        command.SetAction(async (result, cancel) =>
        {
            var answer = await ControlCommandSupport.AskAsync(result, "stats", socket, new ControlRequest("stats")).ConfigureAwait(false);
            if (answer is not { } ok || ok.Response.Stats is not { } stats)
            {
                return ControlCommandSupport.ExitError;
            }

            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json))
            {
                output.WriteLine(ok.Line);
                return ControlCommandSupport.ExitOk;
            }

            output.WriteLine($"uptime {stats.UptimeSeconds}s, {stats.Connections} connection(s), {stats.Reloads} reload(s)");
            output.WriteLine($"datagrams: {stats.Received} received, {stats.Sent} sent, {stats.Dropped} dropped");
            output.WriteLine($"handshakes: {stats.Phase1Established} Phase 1, {stats.ChildSasEstablished} Quick Mode");
            output.WriteLine($"SAs up: {stats.IkeSasUp} IKE, {stats.ChildSasUp} IPsec");
            output.WriteLine($"diagnostics ({stats.DiagnosticsSuppressed} suppressed):");
            foreach (var (code, count) in stats.Diagnostics)
            {
                output.WriteLine($"  {code}: {count}");
            }

            return ControlCommandSupport.ExitOk;
        });
        return command;
    }
}
