using System.Net.Sockets;

namespace Ike.Native.Xfrm;

/// <summary>
/// Builds single netlink XFRM messages into a caller's buffer through the native builders (the same code the send
/// path uses), with nlmsg_seq = nlmsg_pid = 0. Each method returns the message length, or a negative errno
/// (-ENOSPC: buffer too small, -EINVAL: bad parameters).
/// </summary>
internal static unsafe class XfrmMessageBuilder
{
    /// <summary>Largest single message: SA header, AEAD or cipher + auth attributes with 64-byte keys, encap, ESN replay.</summary>
    internal const int MaxMessageSize = 1024;

    internal static int BuildSa(in XfrmSaParameters sa, bool update, Span<byte> destination)
    {
        XfrmNativeSaParams native = default;
        sa.Source.WriteTo(native.Src);
        sa.Destination.WriteTo(native.Dst);
        native.Spi = sa.Spi;
        native.ReqId = sa.ReqId;
        native.Family = XfrmFamily.ToNative(sa.Family);
        native.Proto = (byte)sa.Protocol;
        native.Mode = (byte)sa.Mode;
        native.ReplayWindow = sa.ReplayWindow;
        native.Flags = (byte)sa.Flags;
        native.EncryptionAlgorithm = (byte)sa.Encryption;
        native.IntegrityAlgorithm = (byte)sa.Integrity;
        if (sa.UdpEncapsulation)
        {
            native.EncapType = UdpEncapEspInUdp;
            native.EncapSourcePort = sa.EncapsulationSourcePort;
            native.EncapDestinationPort = sa.EncapsulationDestinationPort;
            sa.EncapsulationOriginalAddress.WriteTo(native.EncapOriginalAddress);
        }

        XfrmSelector selector = sa.Selector;
        selector.WriteTo(&native.Selector);
        native.Lifetime = sa.Lifetime.ToNative();
        native.EncryptionKeyLength = (uint)sa.EncryptionKey.Length;
        native.IntegrityKeyLength = (uint)sa.IntegrityKey.Length;
        fixed (byte* encryptionKey = sa.EncryptionKey)
        fixed (byte* integrityKey = sa.IntegrityKey)
        fixed (byte* buffer = destination)
        {
            native.EncryptionKey = encryptionKey;
            native.IntegrityKey = integrityKey;
            return Interop.Xfrm.BuildSa(&native, update ? 1 : 0, buffer, destination.Length);
        }
    }

    internal static int BuildDeleteSa(XfrmAddress source, XfrmAddress destination, AddressFamily family,
        XfrmProtocol protocol, uint spi, Span<byte> buffer)
    {
        byte* src = stackalloc byte[XfrmAddress.Size];
        byte* dst = stackalloc byte[XfrmAddress.Size];
        source.WriteTo(src);
        destination.WriteTo(dst);
        fixed (byte* p = buffer)
        {
            return Interop.Xfrm.BuildDeleteSa(dst, src, XfrmFamily.ToNative(family), (byte)protocol, spi, p, buffer.Length);
        }
    }

    internal static int BuildAllocateSpi(XfrmAddress source, XfrmAddress destination, AddressFamily family,
        XfrmProtocol protocol, XfrmMode mode, uint reqId, uint acquireSequence, uint min, uint max, Span<byte> buffer)
    {
        byte* src = stackalloc byte[XfrmAddress.Size];
        byte* dst = stackalloc byte[XfrmAddress.Size];
        source.WriteTo(src);
        destination.WriteTo(dst);
        fixed (byte* p = buffer)
        {
            return Interop.Xfrm.BuildAllocSpi(dst, src, XfrmFamily.ToNative(family), (byte)protocol, (byte)mode, reqId,
                acquireSequence, min, max, p, buffer.Length);
        }
    }

    internal static int BuildPolicy(in XfrmPolicyParameters policy, bool update, Span<byte> buffer)
    {
        if (policy.Templates.Length > XfrmPolicyParameters.MaxTemplates)
        {
            return -XfrmErrno.EINVAL;
        }

        XfrmNativePolicyParams native = default;
        XfrmSelector selector = policy.Selector;
        selector.WriteTo(&native.Selector);
        native.Priority = policy.Priority;
        native.Index = policy.Index;
        native.Direction = (byte)policy.Direction;
        native.Action = (byte)policy.Action;
        native.TemplateCount = (byte)policy.Templates.Length;
        XfrmNativeTemplate* templates = (XfrmNativeTemplate*)&native.Templates;
        for (int i = 0; i < policy.Templates.Length; i++)
        {
            policy.Templates[i].WriteTo(templates + i);
        }

        fixed (byte* p = buffer)
        {
            return Interop.Xfrm.BuildPolicy(&native, update ? 1 : 0, p, buffer.Length);
        }
    }

    internal static int BuildDeletePolicy(in XfrmSelector selector, XfrmPolicyDirection direction, Span<byte> buffer)
    {
        XfrmNativeSelector native = default;
        selector.WriteTo(&native);
        fixed (byte* p = buffer)
        {
            return Interop.Xfrm.BuildDeletePolicy(&native, (byte)direction, p, buffer.Length);
        }
    }

    /// <summary>
    /// XFRM_MSG_GETPOLICY (<paramref name="get"/>) or XFRM_MSG_DELPOLICY by the kernel's policy index (when not 0: no
    /// selector is sent) or by <paramref name="selector"/>; byte-identical to <c>ip xfrm policy get|delete</c>.
    /// </summary>
    internal static int BuildPolicyId(in XfrmSelector selector, XfrmPolicyDirection direction, uint index, bool get, Span<byte> buffer)
    {
        XfrmNativeSelector native = default;
        selector.WriteTo(&native);
        fixed (byte* p = buffer)
        {
            return Interop.Xfrm.BuildPolicyId(&native, (byte)direction, index, get ? 1 : 0, p, buffer.Length);
        }
    }

    /// <summary>UDP_ENCAP_ESPINUDP (linux/udp.h): RFC 3948 framing, non-ESP marker only on IKE packets.</summary>
    private const ushort UdpEncapEspInUdp = 2;
}
