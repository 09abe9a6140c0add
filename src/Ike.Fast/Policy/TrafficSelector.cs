using System.Net;
using System.Net.Sockets;
using System.Globalization;

namespace Ike.Fast.Policy;

/// <summary>
/// A traffic selector (swanctl.conf <c>local_ts</c>/<c>remote_ts</c>): a subnet with an optional protocol and port,
/// carried in Quick Mode as IDci/IDcr (RFC 2409 §5.5, ID_IPV4_ADDR_SUBNET / ID_IPV4_ADDR for a /32).
/// Syntax: <c>10.0.0.0/24</c>, <c>192.0.2.1</c>, <c>10.0.0.0/24[tcp/80]</c>, <c>dynamic</c> (the SA's own address).
/// </summary>
/// <param name="Network">Network address (null for <c>dynamic</c>).</param>
/// <param name="PrefixLength">Prefix length.</param>
/// <param name="Protocol">IP protocol number (0 = any).</param>
/// <param name="Port">Port (0 = any).</param>
public sealed record TrafficSelector(IPAddress? Network, int PrefixLength, byte Protocol = 0, ushort Port = 0)
{
    /// <summary>The SA's own address (swanctl.conf <c>dynamic</c>).</summary>
    public static TrafficSelector Dynamic { get; } = new(null, 0);

    /// <summary>True for <c>dynamic</c>.</summary>
    public bool IsDynamic => Network is null;

    /// <summary>Parses the swanctl.conf form.</summary>
    public static TrafficSelector Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        if (text.Equals("dynamic", StringComparison.OrdinalIgnoreCase))
        {
            return Dynamic;
        }

        byte protocol = 0;
        ushort port = 0;
        int bracket = text.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            string inner = text[(bracket + 1)..].TrimEnd(']');
            text = text[..bracket];
            string[] parts = inner.Split('/');
            protocol = parts[0].ToLowerInvariant() switch
            {
                "tcp" => 6,
                "udp" => 17,
                "icmp" => 1,
                "" or "any" => 0,
                string p => byte.Parse(p, CultureInfo.InvariantCulture),
            };
            if (parts.Length > 1 && parts[1].Length > 0 && parts[1] != "%any")
            {
                port = ushort.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        IPAddress address = IPAddress.Parse(slash < 0 ? text : text[..slash]);
        int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = slash < 0 ? max : int.Parse(text[(slash + 1)..], CultureInfo.InvariantCulture);
        if (prefix < 0 || prefix > max)
        {
            throw new FormatException($"Traffic selector '{text}': prefix length {prefix} out of range.");
        }

        return new TrafficSelector(address, prefix, protocol, port);
    }

    /// <summary>A host selector for one address.</summary>
    public static TrafficSelector ForHost(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new TrafficSelector(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
    }

    /// <summary>Human-readable form.</summary>
    public override string ToString() => IsDynamic ? "dynamic" :
        $"{Network}/{PrefixLength}" + (Protocol != 0 || Port != 0 ? $"[{Protocol}/{Port}]" : "");
}
