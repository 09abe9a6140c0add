namespace Ike.Fast.Host.Daemon;

/// <summary>One scheduled lifetime action and the SA it is for (children by inbound SPI, ISAKMP SAs by cookies).</summary>
internal readonly record struct LifetimeDeadline(
    LifetimeAction Action,
    string Connection,
    string? Child,
    uint InboundSpi,
    ulong InitiatorCookie,
    ulong ResponderCookie);
