using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ike.Native.Xfrm;

/// <summary>Options an IKE daemon sets on its own UDP sockets.</summary>
public static class XfrmSocketOptions
{
    /// <summary>UDP_ENCAP = UDP_ENCAP_ESPINUDP on the NAT-T (4500) socket: the kernel decapsulates ESP-in-UDP and
    /// passes only non-ESP-marked IKE packets up (RFC 3948 section 2.2).</summary>
    public static XfrmStatus SetUdpEncapsulation(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return WithFd(socket.SafeHandle, 0, static (fd, _) => Interop.Xfrm.SetUdpEncap(fd));
    }

    /// <summary>As <see cref="SetUdpEncapsulation(Socket)"/> for a raw descriptor.</summary>
    public static XfrmStatus SetUdpEncapsulation(int fileDescriptor) =>
        XfrmErrno.ToStatus(Interop.Xfrm.SetUdpEncap(fileDescriptor));

    /// <summary>Per-socket bypass policy in both directions (IP_XFRM_POLICY/IPV6_XFRM_POLICY, action allow), so IKE
    /// traffic is never subject to the SPD; needs CAP_NET_ADMIN. A dual-mode IPv6 socket gets the IPv6 option.</summary>
    public static XfrmStatus SetIpsecBypass(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ushort family = XfrmFamily.ToNative(socket.AddressFamily);
        return WithFd(socket.SafeHandle, family, static (fd, f) => Interop.Xfrm.SetIpsecBypass(fd, f));
    }

    /// <summary>As <see cref="SetIpsecBypass(Socket)"/> for a raw descriptor of the given family.</summary>
    public static XfrmStatus SetIpsecBypass(int fileDescriptor, AddressFamily family) =>
        XfrmErrno.ToStatus(Interop.Xfrm.SetIpsecBypass(fileDescriptor, XfrmFamily.ToNative(family)));

    private static XfrmStatus WithFd(SafeHandle handle, int argument, Func<int, int, int> action)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return XfrmErrno.ToStatus(action((int)handle.DangerousGetHandle(), argument));
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
