using System.Net.Sockets;

namespace Ike.Native.Xfrm;

/// <summary>
/// A policy template (struct xfrm_user_tmpl): the SA a matching packet must use. Tunnel-mode templates carry the
/// tunnel endpoints; transport-mode templates leave them zero.
/// </summary>
public struct XfrmTemplate
{
    public AddressFamily Family { get; set; }

    public XfrmAddress Source { get; set; }

    public XfrmAddress Destination { get; set; }

    public XfrmProtocol Protocol { get; set; }

    public XfrmMode Mode { get; set; }

    public uint ReqId { get; set; }

    /// <summary>0 = any SPI.</summary>
    public uint Spi { get; set; }

    /// <summary>"level use": packets may pass without this SA.</summary>
    public bool Optional { get; set; }

    internal readonly unsafe void WriteTo(XfrmNativeTemplate* native)
    {
        Source.WriteTo(native->Src);
        Destination.WriteTo(native->Dst);
        native->Spi = Spi;
        native->ReqId = ReqId;
        native->Family = XfrmFamily.ToNative(Family);
        native->Proto = (byte)Protocol;
        native->Mode = (byte)Mode;
        native->Optional = Optional ? (byte)1 : (byte)0;
    }
}
