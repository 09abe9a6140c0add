namespace Ike.Fast.Host.Control;

/// <summary>
/// The answer to a control request: for <c>status</c> the listen addresses and SA lists; for every command
/// <see cref="Ok"/>, and <see cref="Error"/> when it failed.
/// </summary>
public sealed record ControlResponse(
    bool Ok,
    string? Error,
    string? Version,
    IReadOnlyList<string>? Listen,
    IReadOnlyList<IkeSaStatus>? IkeSas,
    IReadOnlyList<ChildSaStatus>? ChildSas,
    CountersStatus? Counters = null,
    StatsStatus? Stats = null,
    string? Message = null)
{
    public static ControlResponse Success { get; } = new(true, null, null, null, null, null);

    public static ControlResponse Failure(string error) => new(false, error, null, null, null, null);
}
