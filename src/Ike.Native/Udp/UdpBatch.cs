using System.Net.Sockets;

namespace Ike.Native.Udp;

/// <summary>
/// recvmmsg/sendmmsg with the local address (IP_PKTINFO / IPV6_PKTINFO), SO_REUSEPORT with cookie steering, poll and
/// eventfd, for the daemon's shards (Linux; <see cref="IsSupported"/> says whether the native library is here).
/// Results are counts or negative errnos, never exceptions: this is the per-datagram path.
/// </summary>
public static unsafe class UdpBatch
{
    /// <summary>Most datagrams one call moves (IKEFAST_UDP_MAX_BATCH).</summary>
    public const int MaxBatch = 64;

    /// <summary>Most descriptors <see cref="Wait"/> watches (one bit each in its ready mask).</summary>
    public const int MaxWaitDescriptors = 64;

    private static readonly Lazy<bool> Supported = new(Probe);

    /// <summary>True on Linux with libikefast_native present and exporting the UDP functions.</summary>
    public static bool IsSupported => Supported.Value;

    /// <summary>Receives up to <paramref name="slots"/>.Length datagrams without blocking; 0 when none is queued.</summary>
    public static int Receive(int fd, Span<UdpSlot> slots)
    {
        fixed (UdpSlot* p = slots)
        {
            return Interop.Udp.ReceiveBatch(fd, p, Math.Min(slots.Length, MaxBatch));
        }
    }

    /// <summary>Sends the slots in order; returns how many left (fewer on a failure after the first) or -errno.</summary>
    public static int Send(int fd, Span<UdpSlot> slots)
    {
        fixed (UdpSlot* p = slots)
        {
            return Interop.Udp.SendBatch(fd, p, Math.Min(slots.Length, MaxBatch));
        }
    }

    /// <summary>poll(2) for readability; bit i of <paramref name="readyMask"/> = <paramref name="fds"/>[i] is readable.</summary>
    public static int Wait(ReadOnlySpan<int> fds, int timeoutMs, out ulong readyMask)
    {
        ulong mask = 0;
        int result;
        fixed (int* p = fds)
        {
            result = Interop.Udp.Wait(p, fds.Length, timeoutMs, &mask);
        }

        readyMask = mask;
        return result;
    }

    /// <summary>How full the socket's receive queue is, in thousandths of SO_RCVBUF (SO_MEMINFO), or -errno.</summary>
    public static int ReceiveQueueFill(int fd) => Interop.Udp.ReceiveQueueFill(fd);

    /// <summary>SO_REUSEPORT (before bind): several shards bind the same address, the kernel spreads datagrams.</summary>
    public static int SetReusePort(Socket socket) => WithFd(socket, 0, static (fd, _) => Interop.Udp.SetReusePort(fd));

    /// <summary>
    /// SO_ATTACH_REUSEPORT_CBPF: the kernel picks the socket (bind order) from a hash of the datagram's source address
    /// (not its port), keyed by <paramref name="seed"/>, modulo <paramref name="shards"/>; the same function as the host's
    /// managed steering (native/src/udp_batch.c). <paramref name="ipv6"/>: the socket's family.
    /// </summary>
    public static int AttachAddressSteering(Socket socket, bool ipv6, int shards, ulong seed) =>
        WithFd(socket, (Family: ipv6 ? 1 : 0, Shards: shards, Seed: seed),
            static (fd, p) => Interop.Udp.AttachAddressSteering(fd, p.Family, p.Shards, p.Seed));

    /// <summary>A non-blocking eventfd (or -errno) that wakes a shard waiting in <see cref="Wait"/>.</summary>
    public static int CreateEvent() => Interop.Udp.EventCreate();

    public static int SignalEvent(int fd) => Interop.Udp.EventSignal(fd);

    public static int DrainEvent(int fd) => Interop.Udp.EventDrain(fd);

    public static int CloseEvent(int fd) => Interop.Udp.EventClose(fd);

    /// <summary>The descriptor of a .NET socket (valid while the socket lives; the caller keeps it alive).</summary>
    public static int Descriptor(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    private static int WithFd<TState>(Socket socket, TState state, Func<int, TState, int> action)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return action((int)handle.DangerousGetHandle(), state);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            var fd = Interop.Udp.EventCreate();
            if (fd < 0)
            {
                return false;
            }

            Interop.Udp.EventClose(fd);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }
}
