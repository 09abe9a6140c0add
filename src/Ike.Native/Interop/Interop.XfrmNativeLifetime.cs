using System.Runtime.InteropServices;

namespace Ike.Native;

/// <summary>IkeFastXfrmLifetime (native/include/ikefast_xfrm.h): 64 bytes, 0 = no limit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XfrmNativeLifetime
{
    public ulong SoftByteLimit;
    public ulong HardByteLimit;
    public ulong SoftPacketLimit;
    public ulong HardPacketLimit;
    public ulong SoftAddExpiresSeconds;
    public ulong HardAddExpiresSeconds;
    public ulong SoftUseExpiresSeconds;
    public ulong HardUseExpiresSeconds;
}
