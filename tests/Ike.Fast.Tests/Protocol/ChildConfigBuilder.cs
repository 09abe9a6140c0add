using Ike.Fast.Policy;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Builds the test child: 10.1.0.0/16 behind A, 10.2.0.0/16 behind B (mirrored per side).</summary>
internal sealed class ChildConfigBuilder
{
    public string Name { get; set; } = "child";

    public string Esp { get; set; } = "aes128-sha256";

    public string? LocalNet { get; set; }

    public string? RemoteNet { get; set; }

    public IpsecMode Mode { get; set; } = IpsecMode.Tunnel;

    public TimeSpan LifeTime { get; set; } = TimeSpan.FromSeconds(3960);

    public long LifeKilobytes { get; set; }

    public TimeSpan RekeyTime { get; set; } = TimeSpan.FromHours(1);

    public static string NetFor(string name, bool sideA) => $"10.{(sideA ? 1 : 2)}.{name.Sum(c => c) % 250 + 1}.0/24";

    public ChildConfig Build(bool sideA) => new()
    {
        Name = Name,
        LocalTs = [TrafficSelector.Parse(LocalNet ?? (sideA ? "10.1.0.0/16" : "10.2.0.0/16"))],
        RemoteTs = [TrafficSelector.Parse(RemoteNet ?? (sideA ? "10.2.0.0/16" : "10.1.0.0/16"))],
        Proposals = [.. Esp.Split(',').SelectMany(p => ProposalParser.ParseEsp(p.Trim()))],
        Mode = Mode,
        LifeTime = LifeTime,
        LifeKilobytes = LifeKilobytes,
        RekeyTime = RekeyTime,
    };
}
