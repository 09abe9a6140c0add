namespace Ike.Fast.Host.Control;

/// <summary>
/// One IPsec (Phase 2) SA pair as <c>ikefast status --json</c> reports it. SPIs are 8 hex digits as on the wire (the
/// form the interop harness's <c>peer_spis</c> prints), so tests compare strings.
/// </summary>
public sealed record ChildSaStatus(
    string Connection,
    string Child,
    string Protocol,
    string Mode,
    string Local,
    string Remote,
    string SpiIn,
    string SpiOut,
    string Encryption,
    string? Integrity,
    string? PfsGroup,
    string LocalTs,
    string RemoteTs,
    long LifetimeSeconds,
    long InstalledUnixSeconds,
    long AgeSeconds,
    string? UdpEncapsulation = null);
