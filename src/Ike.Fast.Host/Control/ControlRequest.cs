namespace Ike.Fast.Host.Control;

/// <summary>
/// A control-socket request, one JSON object per line:
/// <c>{"command":"status"}</c>;
/// <c>{"command":"initiate","connection":"rw","child":"net"}</c> (Phase 1 if needed, then Quick Mode);
/// <c>{"command":"terminate","connection":"rw"}</c> (Delete for every ISAKMP SA of the connection and its IPsec SAs)
/// or <c>{"command":"terminate","spi_in":"c0ffee01"}</c> (Delete for one IPsec SA pair);
/// <c>{"command":"reload"}</c> (re-read the configuration file and secrets);
/// <c>{"command":"stats"}</c> (counters and diagnostics by code).
/// </summary>
public sealed record ControlRequest(string? Command, string? Connection = null, string? Child = null, string? SpiIn = null);
