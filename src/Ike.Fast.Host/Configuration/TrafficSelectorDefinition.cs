using System.Globalization;
using System.Net;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// One swanctl traffic selector: <c>10.0.0.0/24</c>, <c>192.0.2.7</c>, <c>dynamic</c> (the SA's own address) or any of
/// them with <c>[proto/port]</c>. In IKEv1 it becomes a Quick Mode ID payload (RFC 2409 section 5.5, IDci/IDcr:
/// ID_IPV4_ADDR_SUBNET / ID_IPV4_ADDR with the protocol and port fields of RFC 2407 section 4.6.2).
/// </summary>
public sealed record TrafficSelectorDefinition(IPNetwork? Network, byte Protocol, ushort Port)
{
    /// <summary>True for <c>dynamic</c>: the address of the ISAKMP SA's own side.</summary>
    public bool IsDynamic => Network is null;

    public static bool TryParse(string text, out TrafficSelectorDefinition selector, out string error)
    {
        selector = new TrafficSelectorDefinition(null, 0, 0);
        error = "";
        text = text.Trim();
        byte protocol = 0;
        ushort port = 0;
        var bracket = text.IndexOf('[');
        if (bracket >= 0)
        {
            if (!text.EndsWith(']'))
            {
                error = $"invalid traffic selector '{text}': missing ']'";
                return false;
            }

            var inner = text[(bracket + 1)..^1];
            text = text[..bracket];
            var slash = inner.IndexOf('/');
            var protoText = slash >= 0 ? inner[..slash] : inner;
            var portText = slash >= 0 ? inner[(slash + 1)..] : "";
            if (!TryParseProtocol(protoText, out protocol))
            {
                error = $"invalid protocol '{protoText}' in traffic selector (expected tcp, udp, icmp, ipv6-icmp or a number)";
                return false;
            }

            if (portText.Length > 0 && portText != "%any"
                && !ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                error = $"invalid port '{portText}' in traffic selector (expected 0-65535 or %any)";
                return false;
            }
        }

        if (text == "dynamic")
        {
            selector = new TrafficSelectorDefinition(null, protocol, port);
            return true;
        }

        if (IPNetwork.TryParse(text, out var network))
        {
            selector = new TrafficSelectorDefinition(network, protocol, port);
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            var bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            selector = new TrafficSelectorDefinition(new IPNetwork(address, bits), protocol, port);
            return true;
        }

        error = $"invalid traffic selector '{text}' (expected a subnet like 10.0.0.0/24, an address, or 'dynamic')";
        return false;
    }

    private static bool TryParseProtocol(string text, out byte protocol)
    {
        protocol = text switch
        {
            "" or "%any" => 0,
            "icmp" => 1,
            "tcp" => 6,
            "udp" => 17,
            "ipv6-icmp" or "icmpv6" => 58,
            _ => 255,
        };
        if (protocol != 255)
        {
            return true;
        }

        return byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out protocol);
    }

    public override string ToString()
    {
        var net = Network?.ToString() ?? "dynamic";
        return Protocol == 0 && Port == 0 ? net : $"{net}[{Protocol}/{Port}]";
    }
}
