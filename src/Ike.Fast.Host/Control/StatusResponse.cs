namespace Ike.Fast.Host.Control;

/// <summary>The answer to <c>{"command":"status"}</c> (also the shape of an error answer, with <see cref="Ok"/> false).</summary>
public sealed record StatusResponse(
    bool Ok,
    string? Error,
    string? Version,
    IReadOnlyList<string>? Listen,
    IReadOnlyList<IkeSaStatus>? IkeSas,
    IReadOnlyList<ChildSaStatus>? ChildSas);
