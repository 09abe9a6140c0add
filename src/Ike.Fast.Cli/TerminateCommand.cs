using System.CommandLine;
using System.Globalization;
using Ike.Fast.Host.Control;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast terminate NAME | --spi HEX</c>: Delete (peer told, RFC 2408 section 3.15) for every ISAKMP SA of a
/// connection with its IPsec SAs, or for the one IPsec SA pair whose inbound SPI is HEX (as <c>list-sas</c> prints it).
/// </summary>
internal static class TerminateCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("NAME")
        {
            Description = "The connection whose SAs to delete.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var spi = new Option<string?>("--spi") { Description = "Delete the IPsec SA pair with this inbound SPI (hex, up to 8 digits)." };
        var socket = ControlCommandSupport.SocketOption();
        var command = new Command("terminate", "Delete a connection's SAs, or one IPsec SA pair, on the running daemon.") { name, spi, socket };
        command.SetAction(async (result, cancel) =>
        {
            var connection = result.GetValue(name);
            var spiText = result.GetValue(spi);
            if (string.IsNullOrWhiteSpace(connection) == (spiText is null))
            {
                return await ControlCommandSupport.UsageAsync(result, "terminate", "expected either NAME or --spi HEX").ConfigureAwait(false);
            }

            ControlRequest request;
            if (spiText is not null)
            {
                var hex = spiText.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? spiText[2..] : spiText;
                if (hex.Length is 0 or > 8 || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
                {
                    return await ControlCommandSupport.UsageAsync(result, "terminate", $"--spi '{spiText}': expected up to 8 hex digits").ConfigureAwait(false);
                }

                request = new ControlRequest("terminate", SpiIn: value.ToString("x8", CultureInfo.InvariantCulture));
            }
            else
            {
                request = new ControlRequest("terminate", connection);
            }

            var answer = await ControlCommandSupport.AskAsync(result, "terminate", socket, request).ConfigureAwait(false);
            if (answer is null)
            {
                return ControlCommandSupport.ExitError;
            }

            result.InvocationConfiguration.Output.WriteLine($"terminated {connection ?? "SPI " + request.SpiIn}");
            return ControlCommandSupport.ExitOk;
        });
        return command;
    }
}
