using System.Runtime.InteropServices;

namespace Ike.Native;

/// <summary>IkeFastXfrmEvent (native/include/ikefast_xfrm.h): 116 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct XfrmNativeEvent
{
    public uint Kind;
    public uint Spi;
    public uint ReqId;
    public uint AcquireSeq;
    public uint PolicyIndex;
    public ushort Family;
    public byte Proto;
    public byte Mode;
    public byte PolicyDirection;
    private fixed byte _reserved[3];
    public fixed byte Dst[16];
    public fixed byte Src[16];
    public XfrmNativeSelector Selector;
}
