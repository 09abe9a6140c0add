using System.Net;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol.Transaction;

/// <summary>What Mode-Config assigned (client side, in the <see cref="EngineEventKind.ConfigurationReceived"/> event).</summary>
public sealed class ModeConfigAttributes
{
    /// <summary>Virtual addresses (INTERNAL_IP4_ADDRESS / INTERNAL_IP6_ADDRESS).</summary>
    public List<IPAddress> Addresses { get; } = [];

    /// <summary>DNS servers.</summary>
    public List<IPAddress> Dns { get; } = [];

    /// <summary>Networks reached through the tunnel (UNITY_SPLIT_INCLUDE).</summary>
    public List<TrafficSelector> SplitInclude { get; } = [];

    /// <summary>UNITY_BANNER, or null.</summary>
    public string? Banner { get; set; }
}
