namespace Ike.Fast.Host.Configuration;

/// <summary>
/// swanctl's <c>children { NAME { } }</c>: one Quick Mode (RFC 2409 section 5.5) policy. A DH group in
/// <see cref="EspProposals"/> or <see cref="AhProposals"/> (e.g. <c>aes128-sha256-modp2048</c>) asks for PFS.
/// </summary>
public sealed record ChildDefinition(
    string Name,
    IReadOnlyList<TrafficSelectorDefinition> LocalTs,
    IReadOnlyList<TrafficSelectorDefinition> RemoteTs,
    IReadOnlyList<string> EspProposals,
    IReadOnlyList<string> AhProposals,
    ChildMode Mode,
    TimeSpan RekeyTime,
    TimeSpan LifeTime,
    StartAction StartAction);
