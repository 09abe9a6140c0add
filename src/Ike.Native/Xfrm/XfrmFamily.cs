using System.Net.Sockets;

namespace Ike.Native.Xfrm;

/// <summary>.NET's <see cref="AddressFamily"/> numbers are Windows'; the kernel wants Linux AF_INET (2) / AF_INET6 (10).</summary>
internal static class XfrmFamily
{
    internal const ushort AfInet = 2;
    internal const ushort AfInet6 = 10;

    internal static ushort ToNative(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => AfInet,
        AddressFamily.InterNetworkV6 => AfInet6,
        _ => 0,
    };

    internal static AddressFamily FromNative(ushort family) => family switch
    {
        AfInet => AddressFamily.InterNetwork,
        AfInet6 => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unspecified,
    };
}
