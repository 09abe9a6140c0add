namespace Ike.Fast.Protocol;

/// <summary>Outcome of asking for a Diffie-Hellman operation inside a handler.</summary>
internal enum DhStep : byte
{
    /// <summary>The result is there: go on.</summary>
    Ready,

    /// <summary>The engine deferred it: the exchange is parked, the handler returns and runs again later.</summary>
    Pending,

    /// <summary>The operation failed (the handler reports it as before).</summary>
    Failed,
}
