using System.Runtime.InteropServices;

namespace Ike.Native;

/// <summary>IkeFastXfrmTemplate (native/include/ikefast_xfrm.h): 48 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct XfrmNativeTemplate
{
    public fixed byte Dst[16];
    public fixed byte Src[16];
    public uint Spi;
    public uint ReqId;
    public ushort Family;
    public byte Proto;
    public byte Mode;
    public byte Optional;
    private fixed byte _reserved[3];
}
