using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast status [--json]</c>: asks the running daemon over its control socket for its Phase 1 and Phase 2 SAs.
/// <c>--json</c> prints the daemon's answer as is (one line), for scripts and interop tests.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the raw JSON answer (one line)." };
        var socket = new Option<string?>("--control-socket", "--socket")
        {
            Description = "The daemon's control socket (default as for serve).",
        };
        var command = new Command("status", "List the daemon's IKE (Phase 1) and IPsec (Phase 2) SAs.") { json, socket };
        command.SetAction(async (result, cancel) =>
        {
            var path = result.GetValue(socket) ?? DaemonSettings.DefaultControlSocket();
            string line;
            try
            {
                line = await ControlClient.QueryAsync(path, """{"command":"status"}""", TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync($"ikefast status: cannot reach the daemon at {path}: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            if (result.GetValue(json))
            {
                result.InvocationConfiguration.Output.WriteLine(line);
                return 0;
            }

            var response = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse);
            if (response is null || !response.Ok)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync($"ikefast status: {response?.Error ?? "empty answer"}").ConfigureAwait(false);
                return 1;
            }

            Print(response, result.InvocationConfiguration.Output);
            return 0;
        });
        return command;
    }

    private static void Print(ControlResponse response, TextWriter output)
    {
        output.WriteLine($"ikefast {response.Version}, listening on {string.Join(", ", response.Listen ?? [])}");
        var ike = response.IkeSas ?? [];
        output.WriteLine($"IKE SAs ({ike.Count}):");
        foreach (var sa in ike)
        {
            output.WriteLine($"  {sa.Connection}: {sa.Local} <=> {sa.Remote} [{sa.RemoteId}] {(sa.Initiator ? "initiator" : "responder")}, " +
                              $"{sa.State} {sa.AgeSeconds}s ago, cookies {sa.InitiatorCookie}_i {sa.ResponderCookie}_r {sa.Algorithms}");
            if (RoadWarrior(sa) is { } rw)
            {
                output.WriteLine($"    {rw}");
            }
        }

        var child = response.ChildSas ?? [];
        output.WriteLine($"IPsec SAs ({child.Count}):");
        foreach (var sa in child)
        {
            output.WriteLine($"  {sa.Connection}/{sa.Child}: {sa.Protocol} {sa.Mode}, SPIs {sa.SpiIn}_i {sa.SpiOut}_o, " +
                              $"{sa.Encryption}/{sa.Integrity ?? "-"}{(sa.PfsGroup is null ? "" : "/" + sa.PfsGroup)}, installed {sa.AgeSeconds}s ago");
            output.WriteLine($"    {sa.LocalTs} === {sa.RemoteTs}{(sa.UdpEncapsulation is null ? "" : ", ESP-in-" + sa.UdpEncapsulation)}");
        }
    }

    /// <summary>NAT, encapsulation, virtual IP and XAUTH user of an ISAKMP SA in one line, or null when none applies.</summary>
    internal static string? RoadWarrior(IkeSaStatus sa)
    {
        var parts = new List<string>();
        if (sa.Nat is { } nat)
        {
            parts.Add($"NAT {nat}{(sa.UdpEncapsulation ? ", UDP-encapsulated" : "")}");
        }

        if (sa.VirtualIps is { Count: > 0 } vips)
        {
            parts.Add($"virtual IP {string.Join(", ", vips)}");
        }

        if (sa.XauthUser is { } user)
        {
            parts.Add($"XAUTH user '{user}'");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }
}
