using System.Globalization;
using System.Net;

namespace Ike.Fast.Diagnostics;

/// <summary>Formats an IP address and port the way Wireshark and the inspect JSON show them.</summary>
public static class EndpointText
{
    /// <summary>"a.b.c.d:port" for IPv4, "[v6]:port" for IPv6, "?:port" for any other address length.</summary>
    public static string Format(ReadOnlySpan<byte> address, ushort port)
    {
        string portText = port.ToString(CultureInfo.InvariantCulture);
        return address.Length switch
        {
            4 => $"{new IPAddress(address)}:{portText}",
            16 => $"[{new IPAddress(address)}]:{portText}",
            _ => $"?:{portText}",
        };
    }
}
