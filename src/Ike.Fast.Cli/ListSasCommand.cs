using System.CommandLine;
using System.Net;
using System.Text.Json;
using Ike.Fast.Host.Control;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast list-sas [--connection NAME] [--peer ADDR] [--phase 1|2] [--json]</c>: the daemon's SAs (from the
/// status answer), filtered. <c>--json</c> prints <c>{"ok":true,"ike_sas":[...],"child_sas":[...]}</c> after filtering.
/// </summary>
internal static class ListSasCommand
{
    public static Command Create()
    {
        var connection = new Option<string?>("--connection") { Description = "Only SAs of this connection." };
        var peer = new Option<string?>("--peer") { Description = "Only SAs with this remote address." };
        var phase = new Option<string?>("--phase") { Description = "1 = ISAKMP SAs only, 2 = IPsec SAs only." };
        var json = new Option<bool>("--json") { Description = "Print JSON (one line)." };
        var socket = ControlCommandSupport.SocketOption();
        var command = new Command("list-sas", "List the running daemon's SAs, filtered.") { connection, peer, phase, json, socket };
        command.SetAction(async (result, cancel) =>
        {
            var phaseText = result.GetValue(phase);
            if (phaseText is not (null or "1" or "2"))
            {
                return await ControlCommandSupport.UsageAsync(result, "list-sas", $"--phase '{phaseText}': expected 1 or 2").ConfigureAwait(false);
            }

            IPAddress? peerAddress = null;
            if (result.GetValue(peer) is { } peerText && !IPAddress.TryParse(peerText, out peerAddress))
            {
                return await ControlCommandSupport.UsageAsync(result, "list-sas", $"--peer '{peerText}': expected an IP address").ConfigureAwait(false);
            }

            var answer = await ControlCommandSupport.AskAsync(result, "list-sas", socket, new ControlRequest("status")).ConfigureAwait(false);
            if (answer is not { } ok)
            {
                return ControlCommandSupport.ExitError;
            }

            var name = result.GetValue(connection);
            var ike = phaseText == "2"
                ? []
                : (ok.Response.IkeSas ?? []).Where(s => (name is null || s.Connection == name) && Matches(s.Remote, peerAddress)).ToList();
            var child = phaseText == "1"
                ? []
                : (ok.Response.ChildSas ?? []).Where(s => (name is null || s.Connection == name) && Matches(s.Remote, peerAddress)).ToList();

            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json))
            {
                var filtered = new ControlResponse(true, null, null, null, ike, child);
                output.WriteLine(JsonSerializer.Serialize(filtered, ControlJsonContext.Default.ControlResponse));
                return ControlCommandSupport.ExitOk;
            }

            if (phaseText != "2")
            {
                output.WriteLine($"IKE SAs ({ike.Count}):");
                foreach (var sa in ike)
                {
                    output.WriteLine($"  {sa.Connection}: {sa.Local} <=> {sa.Remote} [{sa.RemoteId}] {(sa.Initiator ? "initiator" : "responder")}, " +
                                     $"{sa.State} {sa.AgeSeconds}s, cookies {sa.InitiatorCookie}_i {sa.ResponderCookie}_r");
                    if (StatusCommand.RoadWarrior(sa) is { } rw)
                    {
                        output.WriteLine($"    {rw}");
                    }
                }
            }

            if (phaseText != "1")
            {
                output.WriteLine($"IPsec SAs ({child.Count}):");
                foreach (var sa in child)
                {
                    output.WriteLine($"  {sa.Connection}/{sa.Child}: {sa.Local} <=> {sa.Remote} {sa.Protocol} {sa.Mode}, SPIs {sa.SpiIn}_i {sa.SpiOut}_o, " +
                                     $"{sa.LocalTs} === {sa.RemoteTs}, {sa.AgeSeconds}s");
                }
            }

            return ControlCommandSupport.ExitOk;
        });
        return command;
    }

    /// <summary>ISAKMP SAs report ADDR:PORT, IPsec SAs ADDR: both compare by address.</summary>
    private static bool Matches(string remote, IPAddress? peer)
    {
        if (peer is null)
        {
            return true;
        }

        return (IPEndPoint.TryParse(remote, out var endPoint) && endPoint.Address.Equals(peer))
               || (IPAddress.TryParse(remote, out var address) && address.Equals(peer));
    }
}
