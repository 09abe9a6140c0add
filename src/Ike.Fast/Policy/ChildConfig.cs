namespace Ike.Fast.Policy;

/// <summary>
/// One child SA (swanctl.conf <c>connections.&lt;name&gt;.children.&lt;child&gt;</c>): traffic selectors, ESP or AH
/// proposals in preference order (a DH group in a proposal means PFS), mode and lifetimes.
/// </summary>
public sealed class ChildConfig
{
    /// <summary>The child name.</summary>
    public required string Name { get; init; }

    /// <summary>Our side's selectors (swanctl.conf <c>local_ts</c>); IKEv1 carries the first one as IDci/IDcr.</summary>
    public IReadOnlyList<TrafficSelector> LocalTs { get; init; } = [TrafficSelector.Dynamic];

    /// <summary>The peer's side (swanctl.conf <c>remote_ts</c>).</summary>
    public IReadOnlyList<TrafficSelector> RemoteTs { get; init; } = [TrafficSelector.Dynamic];

    /// <summary>ESP (or AH) transforms in preference order (swanctl.conf <c>esp_proposals</c>/<c>ah_proposals</c>).</summary>
    public IReadOnlyList<ChildProposal> Proposals { get; init; } = DefaultEspProposals;

    /// <summary>Tunnel or transport (swanctl.conf <c>mode</c>).</summary>
    public IpsecMode Mode { get; init; } = IpsecMode.Tunnel;

    /// <summary>When the host should rekey (swanctl.conf <c>rekey_time</c>); informational for the engine.</summary>
    public TimeSpan RekeyTime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The IPsec SA lifetime offered/accepted in seconds (swanctl.conf <c>life_time</c>).</summary>
    public TimeSpan LifeTime { get; init; } = TimeSpan.FromSeconds(3960);

    /// <summary>Lifetime in kilobytes (0 = none; swanctl.conf <c>life_bytes</c> / 1024).</summary>
    public long LifeKilobytes { get; init; }

    /// <summary>What to do on load.</summary>
    public StartAction StartAction { get; init; } = StartAction.None;

    /// <summary>strongSwan's default ESP proposals.</summary>
    public static IReadOnlyList<ChildProposal> DefaultEspProposals { get; } =
    [
        .. ProposalParser.ParseEsp("aes128-sha256"),
        .. ProposalParser.ParseEsp("aes128gcm16"),
        .. ProposalParser.ParseEsp("aes256-sha256"),
        .. ProposalParser.ParseEsp("aes128-sha1"),
    ];
}
