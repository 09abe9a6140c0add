namespace Ike.Fast.Wire;

/// <summary>A reader failure: the reason and the absolute byte offset (from the start of the span the caller
/// handed to the outermost reader) where it was detected.</summary>
public readonly record struct WireFault(WireError Error, int Offset)
{
    /// <summary>No failure.</summary>
    public static WireFault None => default;

    /// <summary>True when this describes a failure.</summary>
    public bool IsError => Error != WireError.None;

    /// <summary>The notify this failure deserves (RFC 2408 §5).</summary>
    public NotifyMessageType NotifyType => Error.ToNotifyType();
}
