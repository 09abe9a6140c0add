using System.Net.Sockets;

namespace Ike.Native.Xfrm;

/// <summary>A kernel event (XFRM_MSG_ACQUIRE or XFRM_MSG_EXPIRE), flattened.</summary>
public readonly struct XfrmEvent
{
    public XfrmEventKind Kind { get; init; }

    /// <summary>EXPIRE: the SA's SPI (host order).</summary>
    public uint Spi { get; init; }

    /// <summary>EXPIRE: the SA's reqid; ACQUIRE: the first template's.</summary>
    public uint ReqId { get; init; }

    /// <summary>ACQUIRE: the sequence number to put in the SPI allocation so the kernel replaces its larval SA.</summary>
    public uint AcquireSequence { get; init; }

    /// <summary>ACQUIRE: index of the policy that triggered it.</summary>
    public uint PolicyIndex { get; init; }

    public XfrmPolicyDirection PolicyDirection { get; init; }

    public AddressFamily Family { get; init; }

    public XfrmProtocol Protocol { get; init; }

    public XfrmMode Mode { get; init; }

    public XfrmAddress Source { get; init; }

    public XfrmAddress Destination { get; init; }

    public XfrmSelector Selector { get; init; }

    internal static unsafe XfrmEvent FromNative(XfrmNativeEvent* native) => new()
    {
        Kind = (XfrmEventKind)native->Kind,
        Spi = native->Spi,
        ReqId = native->ReqId,
        AcquireSequence = native->AcquireSeq,
        PolicyIndex = native->PolicyIndex,
        PolicyDirection = (XfrmPolicyDirection)native->PolicyDirection,
        Family = XfrmFamily.FromNative(native->Family),
        Protocol = (XfrmProtocol)native->Proto,
        Mode = (XfrmMode)native->Mode,
        Source = XfrmAddress.ReadFrom(native->Src),
        Destination = XfrmAddress.ReadFrom(native->Dst),
        Selector = XfrmSelector.ReadFrom(&native->Selector),
    };
}
