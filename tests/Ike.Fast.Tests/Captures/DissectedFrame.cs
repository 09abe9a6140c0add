namespace Ike.Fast.Tests.Captures;

/// <summary>One frame of a dissection: its number, addresses, what rode on UDP, and the ISAKMP message if any.</summary>
internal sealed class DissectedFrame
{
    public required int Number { get; init; }

    public required string Source { get; init; }

    public required string Destination { get; init; }

    /// <summary>"UDP Encapsulation of IPsec Packets" with a "Non-ESP Marker" line.</summary>
    public required bool NonEspMarker { get; init; }

    /// <summary>"Encapsulating Security Payload" (ESP in UDP).</summary>
    public required bool Esp { get; init; }

    /// <summary>"NAT-keepalive" in the UDP encapsulation layer.</summary>
    public required bool NatKeepalive { get; init; }

    public DissectedMessage? Isakmp { get; init; }

    public override string ToString() => $"Frame {Number} {Source} -> {Destination}";
}
