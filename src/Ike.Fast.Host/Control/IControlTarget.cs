namespace Ike.Fast.Host.Control;

/// <summary>The daemon operations the control socket can ask for; they run on the daemon loop thread.</summary>
public interface IControlTarget
{
    /// <summary>The engine's counters (read from a control thread: 64-bit counters, a stale value is harmless).</summary>
    CountersStatus Counters { get; }

    Task<ControlResponse> InitiateAsync(string connection, string? child);

    /// <summary>Deletes every ISAKMP SA of <paramref name="connection"/> (with the peer told).</summary>
    Task<ControlResponse> TerminateIkeAsync(string connection);

    /// <summary>Deletes the IPsec SA pair whose inbound SPI is <paramref name="inboundSpi"/> (with the peer told).</summary>
    Task<ControlResponse> TerminateChildAsync(uint inboundSpi);

    /// <summary>
    /// Rekeys the IPsec SA pair with this inbound SPI (kernel soft EXPIRE: byte limits); a target that cannot rekey a
    /// given pair initiates the child instead.
    /// </summary>
    Task<ControlResponse> RekeyChildAsync(uint inboundSpi, string connection, string? child) => InitiateAsync(connection, child);

    /// <summary>
    /// Re-reads the configuration file and secrets and applies them (<c>ikefast reload</c>, SIGHUP). A target without a
    /// configuration file to re-read refuses.
    /// </summary>
    Task<ControlResponse> ReloadAsync() => Task.FromResult(ControlResponse.Failure("this daemon cannot reload its configuration"));

    /// <summary>Counters, SAs up and diagnostics by code for <c>ikefast stats</c>; null when the target has none.</summary>
    StatsStatus? Stats => null;
}
