namespace Ike.Fast.Diagnostics;

/// <summary>
/// Where an ISAKMP message came from, for the formatter's first line / JSON prefix. Every member is optional.
/// <see cref="ReassembledFrom"/> lists the frames whose IKE fragments made up a reassembled message.
/// </summary>
public readonly record struct DatagramContext(
    int? Frame = null,
    DateTimeOffset? Timestamp = null,
    string? Source = null,
    string? Destination = null,
    bool NonEspMarker = false,
    IReadOnlyList<int?>? ReassembledFrom = null);
