namespace Ike.Fast.Host.Control;

/// <summary>
/// The answer body of <c>{"command":"stats"}</c> (<c>ikefast stats</c>): the engine's counters since start, the SAs
/// up now, and every diagnostic code seen with its count (codes never seen are left out).
/// </summary>
public sealed record StatsStatus(
    long UptimeSeconds,
    long Received,
    long Sent,
    long Dropped,
    long DiagnosticsSuppressed,
    long Phase1Established,
    long ChildSasEstablished,
    int IkeSasUp,
    int ChildSasUp,
    int Connections,
    long Reloads,
    IReadOnlyDictionary<string, long> Diagnostics);
