namespace Ike.Fast.Host.Control;

/// <summary>
/// One ISAKMP (Phase 1) SA as <c>ikefast status --json</c> reports it. Cookies are 16 hex digits. Road-warrior fields:
/// <c>Nat</c> (none, local = we are behind a NAT, remote, both, forced; null without NAT traversal),
/// <c>UdpEncapsulation</c> (moved to 4500, IPsec SAs ESP-in-UDP), <c>VirtualIps</c> (Mode-Config lease given or
/// received) and <c>XauthUser</c>.
/// </summary>
public sealed record IkeSaStatus(
    string Connection,
    string InitiatorCookie,
    string ResponderCookie,
    string Local,
    string Remote,
    string? RemoteId,
    bool Initiator,
    string State,
    string? Algorithms,
    long EstablishedUnixSeconds,
    long AgeSeconds,
    string? Nat = null,
    bool UdpEncapsulation = false,
    IReadOnlyList<string>? VirtualIps = null,
    string? XauthUser = null);
