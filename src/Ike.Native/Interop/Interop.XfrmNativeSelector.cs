using System.Runtime.InteropServices;

namespace Ike.Native;

/// <summary>IkeFastXfrmSelector (native/include/ikefast_xfrm.h): 56 bytes, ports in host order.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct XfrmNativeSelector
{
    public fixed byte Dst[16];
    public fixed byte Src[16];
    public ushort DestinationPort;
    public ushort DestinationPortMask;
    public ushort SourcePort;
    public ushort SourcePortMask;
    public ushort Family;
    public byte DestinationPrefixLength;
    public byte SourcePrefixLength;
    public byte Protocol;
    private fixed byte _reserved[3];
    public int InterfaceIndex;
    private uint _reservedUser;
}
