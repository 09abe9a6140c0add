using System.Net;
using Ike.Fast.Protocol.Transaction;

namespace Ike.Fast.Policy;

/// <summary>
/// Mode-Config of a connection: role, pull (client REQUEST → REPLY) or push (server SET → ACK, <c>mode_config =
/// push</c>), and for the server the pools and attributes handed out (swanctl.conf <c>pools</c>: addrs, dns,
/// split_include, banner via Cisco Unity attributes).
/// </summary>
public sealed class ModeConfigSettings
{
    /// <summary>Client or server.</summary>
    public ModeConfigRole Role { get; init; }

    /// <summary>The server sends SET unasked (push) instead of answering the client's REQUEST (pull).</summary>
    public bool Push { get; init; }

    /// <summary>Server: IPv4 pool for INTERNAL_IP4_ADDRESS (null: none).</summary>
    public AddressPool? Ipv4Pool { get; init; }

    /// <summary>Server: IPv6 pool for INTERNAL_IP6_ADDRESS (null: none).</summary>
    public AddressPool? Ipv6Pool { get; init; }

    /// <summary>Server: DNS servers (INTERNAL_IP4_DNS / INTERNAL_IP6_DNS).</summary>
    public IReadOnlyList<IPAddress> Dns { get; init; } = [];

    /// <summary>Server: IPv4 networks reached through the tunnel (UNITY_SPLIT_INCLUDE, 28676).</summary>
    public IReadOnlyList<TrafficSelector> SplitInclude { get; init; } = [];

    /// <summary>Server: login banner (UNITY_BANNER, 28672).</summary>
    public string? Banner { get; init; }
}
