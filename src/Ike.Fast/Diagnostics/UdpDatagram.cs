namespace Ike.Fast.Diagnostics;

/// <summary>A UDP datagram found in a captured frame; every span is a slice of the frame.</summary>
public readonly ref struct UdpDatagram
{
    internal UdpDatagram(ReadOnlySpan<byte> sourceAddress, ushort sourcePort, ReadOnlySpan<byte> destinationAddress,
        ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        SourceAddress = sourceAddress;
        SourcePort = sourcePort;
        DestinationAddress = destinationAddress;
        DestinationPort = destinationPort;
        Payload = payload;
    }

    /// <summary>The IP source address: 4 bytes (IPv4) or 16 bytes (IPv6), network order.</summary>
    public ReadOnlySpan<byte> SourceAddress { get; }

    /// <summary>The UDP source port.</summary>
    public ushort SourcePort { get; }

    /// <summary>The IP destination address: 4 bytes (IPv4) or 16 bytes (IPv6), network order.</summary>
    public ReadOnlySpan<byte> DestinationAddress { get; }

    /// <summary>The UDP destination port.</summary>
    public ushort DestinationPort { get; }

    /// <summary>The UDP payload, bounded by the UDP length field (link-layer padding excluded).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>"a.b.c.d:port" or "[v6]:port" for the source.</summary>
    public string FormatSource() => EndpointText.Format(SourceAddress, SourcePort);

    /// <summary>"a.b.c.d:port" or "[v6]:port" for the destination.</summary>
    public string FormatDestination() => EndpointText.Format(DestinationAddress, DestinationPort);
}
