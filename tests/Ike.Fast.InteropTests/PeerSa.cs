namespace Ike.Fast.InteropTests;

/// <summary>
/// One SA as the peer reports it: for the ISAKMP SA the cookies (charon only), whether the peer initiated it, and
/// the algorithm names; for an IPsec SA the child name and SPIs (peer's view: in = IkeFast's out).
/// </summary>
internal sealed record PeerSa(
    string Name,
    bool? PeerInitiated,
    string? InitiatorCookie,
    string? ResponderCookie,
    string? SpiIn,
    string? SpiOut,
    IReadOnlyDictionary<string, string> Fields);
