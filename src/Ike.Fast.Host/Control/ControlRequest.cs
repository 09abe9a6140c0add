namespace Ike.Fast.Host.Control;

/// <summary>A control-socket request: one JSON object per line, e.g. <c>{"command":"status"}</c>.</summary>
public sealed record ControlRequest(string? Command);
