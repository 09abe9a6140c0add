namespace Ike.Fast.Diagnostics;

/// <summary>Where an ISAKMP message came from, for the formatter's first line / JSON prefix. Every member is optional.</summary>
public readonly record struct DatagramContext(
    int? Frame = null,
    DateTimeOffset? Timestamp = null,
    string? Source = null,
    string? Destination = null,
    bool NonEspMarker = false);
