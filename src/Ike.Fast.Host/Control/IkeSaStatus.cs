namespace Ike.Fast.Host.Control;

/// <summary>One ISAKMP (Phase 1) SA as <c>ikefast status --json</c> reports it. Cookies are 16 hex digits.</summary>
public sealed record IkeSaStatus(
    string Connection,
    string InitiatorCookie,
    string ResponderCookie,
    string Local,
    string Remote,
    string? RemoteId,
    bool Initiator,
    string State,
    string? Algorithms,
    long EstablishedUnixSeconds,
    long AgeSeconds);
