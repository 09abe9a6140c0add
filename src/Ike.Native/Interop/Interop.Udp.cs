using System.Runtime.InteropServices;
using Ike.Native.Udp;

namespace Ike.Native;

internal static partial class Interop
{
    /// <summary>
    /// Batched UDP I/O (native/src/udp_batch.c, native/include/ikefast_udp.h). Every function returns a count, a
    /// descriptor or 0 on success and a negative errno on failure.
    /// </summary>
    internal static unsafe partial class Udp
    {
        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_UdpReceiveBatch")]
        internal static partial int ReceiveBatch(int fd, UdpSlot* slots, int count);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_UdpSendBatch")]
        internal static partial int SendBatch(int fd, UdpSlot* slots, int count);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_UdpWait")]
        internal static partial int Wait(int* fds, int nfds, int timeoutMs, ulong* readyMask);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_UdpReceiveQueueFill")]
        internal static partial int ReceiveQueueFill(int fd);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_UdpSetReusePort")]
        internal static partial int SetReusePort(int fd);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_UdpAttachAddressSteering")]
        internal static partial int AttachAddressSteering(int fd, int ipv6, int shards, ulong seed);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_EventCreate")]
        internal static partial int EventCreate();

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_EventSignal")]
        internal static partial int EventSignal(int fd);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_EventDrain")]
        internal static partial int EventDrain(int fd);

        [LibraryImport(Libraries.IkeFastNative, EntryPoint = "IkeFastNative_EventClose")]
        internal static partial int EventClose(int fd);
    }
}
