using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ike.Native.Xfrm;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// What the installer put in the kernel for one child SA pair, enough to remove it again: both SAs (destination,
/// SPI, protocol) and the policies (the outbound selector; in/fwd use its mirror). No key material.
/// </summary>
public sealed record OwnedChildSa(
    uint ReqId,
    string Connection,
    string Child,
    AddressFamily Family,
    XfrmProtocol Protocol,
    XfrmMode Mode,
    IPAddress Local,
    IPAddress Remote,
    uint InboundSpi,
    uint OutboundSpi,
    XfrmSelector OutSelector)
{
    /// <summary>Tunnel mode has a fwd policy too.</summary>
    public bool HasForwardPolicy => Mode == XfrmMode.Tunnel;

    /// <summary>The in/fwd selector.</summary>
    public XfrmSelector InSelector => new()
    {
        Family = OutSelector.Family,
        Source = OutSelector.Destination,
        SourcePrefixLength = OutSelector.DestinationPrefixLength,
        SourcePort = OutSelector.DestinationPort,
        Destination = OutSelector.Source,
        DestinationPrefixLength = OutSelector.SourcePrefixLength,
        DestinationPort = OutSelector.SourcePort,
        Protocol = OutSelector.Protocol,
    };

    /// <summary>One journal line: space-separated fields, names last (they may not contain spaces: configuration keys).</summary>
    public string ToLine()
    {
        var s = OutSelector;
        return string.Join(' ',
            ReqId.ToString(CultureInfo.InvariantCulture),
            Family == AddressFamily.InterNetworkV6 ? "6" : "4",
            ((byte)Protocol).ToString(CultureInfo.InvariantCulture),
            ((byte)Mode).ToString(CultureInfo.InvariantCulture),
            Local, Remote,
            InboundSpi.ToString("x8", CultureInfo.InvariantCulture),
            OutboundSpi.ToString("x8", CultureInfo.InvariantCulture),
            s.Source.ToIPAddress(Family) + "/" + s.SourcePrefixLength.ToString(CultureInfo.InvariantCulture),
            s.Destination.ToIPAddress(Family) + "/" + s.DestinationPrefixLength.ToString(CultureInfo.InvariantCulture),
            s.Protocol.ToString(CultureInfo.InvariantCulture),
            s.SourcePort.ToString(CultureInfo.InvariantCulture),
            s.DestinationPort.ToString(CultureInfo.InvariantCulture),
            Connection, Child);
    }

    /// <summary>Parses a <see cref="ToLine"/> line; false for anything else (a damaged journal is skipped line by line).</summary>
    public static bool TryParse(string line, out OwnedChildSa? owned)
    {
        owned = null;
        var f = line.Split(' ');
        if (f.Length != 15
            || !uint.TryParse(f[0], CultureInfo.InvariantCulture, out var reqId)
            || f[1] is not ("4" or "6")
            || !byte.TryParse(f[2], CultureInfo.InvariantCulture, out var protocol)
            || !byte.TryParse(f[3], CultureInfo.InvariantCulture, out var mode)
            || !IPAddress.TryParse(f[4], out var local)
            || !IPAddress.TryParse(f[5], out var remote)
            || !uint.TryParse(f[6], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var spiIn)
            || !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var spiOut)
            || !TryParsePrefix(f[8], out var source, out var sourcePrefix)
            || !TryParsePrefix(f[9], out var destination, out var destinationPrefix)
            || !byte.TryParse(f[10], CultureInfo.InvariantCulture, out var ipProtocol)
            || !ushort.TryParse(f[11], CultureInfo.InvariantCulture, out var sourcePort)
            || !ushort.TryParse(f[12], CultureInfo.InvariantCulture, out var destinationPort))
        {
            return false;
        }

        var family = f[1] == "6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        owned = new OwnedChildSa(reqId, f[13], f[14], family, (XfrmProtocol)protocol, (XfrmMode)mode, local, remote, spiIn,
            spiOut, new XfrmSelector
            {
                Family = family,
                Source = XfrmAddress.FromIPAddress(source),
                SourcePrefixLength = sourcePrefix,
                Destination = XfrmAddress.FromIPAddress(destination),
                DestinationPrefixLength = destinationPrefix,
                Protocol = ipProtocol,
                SourcePort = sourcePort,
                DestinationPort = destinationPort,
            });
        return true;
    }

    private static bool TryParsePrefix(string text, out IPAddress address, out byte prefix)
    {
        address = IPAddress.None;
        prefix = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && IPAddress.TryParse(text.AsSpan(0, slash), out address!)
               && byte.TryParse(text.AsSpan(slash + 1), CultureInfo.InvariantCulture, out prefix);
    }
}
