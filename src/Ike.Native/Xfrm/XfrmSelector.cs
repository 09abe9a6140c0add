using System.Net.Sockets;

namespace Ike.Native.Xfrm;

/// <summary>
/// Traffic selector (struct xfrm_selector; RFC 4301 section 4.4.1.1): which packets an SA or policy covers.
/// A port of 0 means any port; a <see cref="Family"/> of <see cref="AddressFamily.Unspecified"/> means any traffic.
/// </summary>
public struct XfrmSelector
{
    public AddressFamily Family { get; set; }

    public XfrmAddress Source { get; set; }

    public XfrmAddress Destination { get; set; }

    public byte SourcePrefixLength { get; set; }

    public byte DestinationPrefixLength { get; set; }

    public ushort SourcePort { get; set; }

    public ushort DestinationPort { get; set; }

    /// <summary>Upper-layer protocol (IP protocol number), 0 = any.</summary>
    public byte Protocol { get; set; }

    /// <summary>Restricts the selector to one interface; 0 = any.</summary>
    public int InterfaceIndex { get; set; }

    /// <summary>A selector for the traffic between two subnets.</summary>
    public static XfrmSelector ForSubnets(AddressFamily family, XfrmAddress source, byte sourcePrefixLength,
        XfrmAddress destination, byte destinationPrefixLength) => new()
    {
        Family = family,
        Source = source,
        SourcePrefixLength = sourcePrefixLength,
        Destination = destination,
        DestinationPrefixLength = destinationPrefixLength,
    };

    internal readonly unsafe void WriteTo(XfrmNativeSelector* native)
    {
        Source.WriteTo(native->Src);
        Destination.WriteTo(native->Dst);
        native->SourcePort = SourcePort;
        native->SourcePortMask = SourcePort == 0 ? (ushort)0 : ushort.MaxValue;
        native->DestinationPort = DestinationPort;
        native->DestinationPortMask = DestinationPort == 0 ? (ushort)0 : ushort.MaxValue;
        native->Family = XfrmFamily.ToNative(Family);
        native->SourcePrefixLength = SourcePrefixLength;
        native->DestinationPrefixLength = DestinationPrefixLength;
        native->Protocol = Protocol;
        native->InterfaceIndex = InterfaceIndex;
    }

    internal static unsafe XfrmSelector ReadFrom(XfrmNativeSelector* native) => new()
    {
        Family = XfrmFamily.FromNative(native->Family),
        Source = XfrmAddress.ReadFrom(native->Src),
        Destination = XfrmAddress.ReadFrom(native->Dst),
        SourcePrefixLength = native->SourcePrefixLength,
        DestinationPrefixLength = native->DestinationPrefixLength,
        SourcePort = native->SourcePort,
        DestinationPort = native->DestinationPort,
        Protocol = native->Protocol,
        InterfaceIndex = native->InterfaceIndex,
    };
}
