using System.Runtime.InteropServices;
using Ike.Native.Xfrm;

namespace Ike.Native;

internal static partial class Interop
{
    /// <summary>
    /// The NETLINK_XFRM shim (native/src/xfrm.c, native/include/ikefast_xfrm.h). Every function returns 0 or a
    /// negative errno; the builders return the message length instead of 0.
    /// </summary>
    internal static unsafe partial class Xfrm
    {
        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmOpen", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Open(string? netnsPath, uint groups, out SafeXfrmHandle handle);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmClose")]
        internal static partial void Close(IntPtr xfrm);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmGetFd")]
        internal static partial int GetFd(SafeXfrmHandle xfrm);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmBuildSa")]
        internal static partial int BuildSa(XfrmNativeSaParams* sa, int update, byte* buf, int cap);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmBuildDeleteSa")]
        internal static partial int BuildDeleteSa(byte* dst, byte* src, ushort family, byte proto, uint spi, byte* buf, int cap);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmBuildAllocSpi")]
        internal static partial int BuildAllocSpi(byte* dst, byte* src, ushort family, byte proto, byte mode, uint reqid,
            uint acquireSeq, uint min, uint max, byte* buf, int cap);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmBuildPolicy")]
        internal static partial int BuildPolicy(XfrmNativePolicyParams* policy, int update, byte* buf, int cap);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmBuildDeletePolicy")]
        internal static partial int BuildDeletePolicy(XfrmNativeSelector* sel, byte dir, byte* buf, int cap);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmBuildPolicyId")]
        internal static partial int BuildPolicyId(XfrmNativeSelector* sel, byte dir, uint index, int get, byte* buf, int cap);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmTransact")]
        internal static partial int Transact(SafeXfrmHandle xfrm, byte* buf, int len, int count, int* errors, uint* values, int flags);

        /// <summary>IKEFAST_XFRM_TRANSACT_BARRIER: no ack per message, one NLMSG_NOOP with NLM_F_ACK after them.</summary>
        internal const int TransactBarrier = 1;

        /// <summary>IKEFAST_XFRM_BARRIER_SIZE: the barrier is a bare netlink header.</summary>
        internal const int BarrierSize = 16;

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmNumberBatch")]
        internal static partial int NumberBatch(byte* buf, int len, int count, uint firstSeq, int flags, byte* barrier, int* states);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmAllocSpi")]
        internal static partial int AllocSpi(SafeXfrmHandle xfrm, byte* dst, byte* src, ushort family, byte proto, byte mode,
            uint reqid, uint acquireSeq, uint min, uint max, out uint spi);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmParseEvent")]
        internal static partial int ParseEvent(byte* buf, int len, XfrmNativeEvent* ev, out int consumed);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_XfrmReceiveEvent")]
        internal static partial int ReceiveEvent(SafeXfrmHandle xfrm, int timeoutMs, XfrmNativeEvent* ev);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_SetUdpEncap")]
        internal static partial int SetUdpEncap(int fd);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_SetIpsecBypass")]
        internal static partial int SetIpsecBypass(int fd, int family);
    }
}
