using System.Net.Sockets;

namespace Ike.Native.Xfrm;

/// <summary>
/// A NETLINK_XFRM socket (needs CAP_NET_ADMIN): allocates SPIs, installs and removes SAs and policies, and, when
/// opened with event groups, receives ACQUIRE/EXPIRE events. Kernel refusals are returned as <see cref="XfrmStatus"/>.
/// Use one socket for requests and another (opened with groups) for events, polled from the caller's own thread:
/// a request on an event socket would discard events arriving while it waits for its ack.
/// Not thread-safe: one thread at a time per socket.
/// </summary>
public sealed unsafe class XfrmSocket : IDisposable
{
    private readonly SafeXfrmHandle _handle;

    private XfrmSocket(SafeXfrmHandle handle)
    {
        _handle = handle;
    }

    /// <summary>Opens a socket in this thread's network namespace, or in the one at <paramref name="netnsPath"/>
    /// (e.g. /run/netns/NAME; needs CAP_SYS_ADMIN) subscribed to <paramref name="groups"/>.</summary>
    public static XfrmStatus Open(string? netnsPath, XfrmEventGroups groups, out XfrmSocket? socket)
    {
        socket = null;
        int result = Interop.Xfrm.Open(netnsPath, (uint)groups, out SafeXfrmHandle handle);
        if (result != 0)
        {
            handle.Dispose();
            return netnsPath is null ? XfrmErrno.ToStatus(result) : XfrmErrno.ToOpenStatus(result);
        }

        socket = new XfrmSocket(handle);
        return XfrmStatus.Success;
    }

    /// <summary>Opens a request socket (no event groups).</summary>
    public static XfrmStatus Open(string? netnsPath, out XfrmSocket? socket) => Open(netnsPath, XfrmEventGroups.None, out socket);

    /// <summary>The netlink socket's file descriptor (for the caller's own poll/epoll loop).</summary>
    public int FileDescriptor => Interop.Xfrm.GetFd(_handle);

    /// <summary>Allocates an SPI in [<paramref name="min"/>, <paramref name="max"/>] (XFRM_MSG_ALLOCSPI); the kernel
    /// keeps a larval SA until the SA is added with UpdateSa (or it times out).</summary>
    public XfrmStatus AllocateSpi(XfrmAddress source, XfrmAddress destination, AddressFamily family, XfrmProtocol protocol,
        uint min, uint max, out uint spi, XfrmMode mode = XfrmMode.Transport, uint reqId = 0, uint acquireSequence = 0)
    {
        byte* src = stackalloc byte[XfrmAddress.Size];
        byte* dst = stackalloc byte[XfrmAddress.Size];
        source.WriteTo(src);
        destination.WriteTo(dst);
        int result = Interop.Xfrm.AllocSpi(_handle, dst, src, XfrmFamily.ToNative(family), (byte)protocol, (byte)mode, reqId,
            acquireSequence, min, max, out spi);
        return XfrmErrno.ToStatus(result);
    }

    /// <summary>Adds an SA (fails with <see cref="XfrmStatus.AlreadyExists"/> if the SPI is taken, including by a
    /// larval SA from <see cref="AllocateSpi"/>: use <see cref="UpdateSa"/> for those).</summary>
    public XfrmStatus AddSa(in XfrmSaParameters sa)
    {
        byte* buffer = stackalloc byte[XfrmMessageBuilder.MaxMessageSize];
        return TransactOne(buffer, XfrmMessageBuilder.BuildSa(sa, update: false, new Span<byte>(buffer, XfrmMessageBuilder.MaxMessageSize)));
    }

    /// <summary>Adds or replaces an SA (XFRM_MSG_UPDSA).</summary>
    public XfrmStatus UpdateSa(in XfrmSaParameters sa)
    {
        byte* buffer = stackalloc byte[XfrmMessageBuilder.MaxMessageSize];
        return TransactOne(buffer, XfrmMessageBuilder.BuildSa(sa, update: true, new Span<byte>(buffer, XfrmMessageBuilder.MaxMessageSize)));
    }

    public XfrmStatus DeleteSa(XfrmAddress source, XfrmAddress destination, AddressFamily family, XfrmProtocol protocol, uint spi)
    {
        byte* buffer = stackalloc byte[XfrmMessageBuilder.MaxMessageSize];
        return TransactOne(buffer, XfrmMessageBuilder.BuildDeleteSa(source, destination, family, protocol, spi,
            new Span<byte>(buffer, XfrmMessageBuilder.MaxMessageSize)));
    }

    public XfrmStatus AddPolicy(in XfrmPolicyParameters policy)
    {
        byte* buffer = stackalloc byte[XfrmMessageBuilder.MaxMessageSize];
        return TransactOne(buffer, XfrmMessageBuilder.BuildPolicy(policy, update: false, new Span<byte>(buffer, XfrmMessageBuilder.MaxMessageSize)));
    }

    public XfrmStatus UpdatePolicy(in XfrmPolicyParameters policy)
    {
        byte* buffer = stackalloc byte[XfrmMessageBuilder.MaxMessageSize];
        return TransactOne(buffer, XfrmMessageBuilder.BuildPolicy(policy, update: true, new Span<byte>(buffer, XfrmMessageBuilder.MaxMessageSize)));
    }

    public XfrmStatus DeletePolicy(in XfrmSelector selector, XfrmPolicyDirection direction)
    {
        byte* buffer = stackalloc byte[XfrmMessageBuilder.MaxMessageSize];
        return TransactOne(buffer, XfrmMessageBuilder.BuildDeletePolicy(selector, direction,
            new Span<byte>(buffer, XfrmMessageBuilder.MaxMessageSize)));
    }

    /// <summary>
    /// Sends every message of <paramref name="batch"/> in one sendmsg and writes each message's outcome to
    /// <paramref name="results"/> (in queue order). The return value is the exchange's own status: a socket failure
    /// or ack timeout; then <paramref name="results"/> is not meaningful. The batch is empty afterwards either way.
    /// <para>
    /// Two or more messages go without NLM_F_ACK, followed by one NLMSG_NOOP with NLM_F_ACK (the barrier): the kernel
    /// answers a refusal whether or not an ack was asked for, and handles a datagram's messages in order, so the
    /// barrier's ack ends the batch and a message no error named by then succeeded. One ack per batch instead of one
    /// per message (each an skb allocated, queued and read back); refusals are still matched to their message by
    /// sequence number.
    /// </para>
    /// </summary>
    public XfrmStatus Send(XfrmBatch batch, Span<XfrmStatus> results) => Send(batch, results, default);

    /// <summary>
    /// As <see cref="Send(XfrmBatch, Span{XfrmStatus})"/>, and <paramref name="values"/> (when not empty: one slot per
    /// message) receives what each message's answer carries: a policy's index (<see cref="XfrmBatch.GetPolicy"/>), 0 for
    /// a plain acknowledgement.
    /// </summary>
    public XfrmStatus Send(XfrmBatch batch, Span<XfrmStatus> results, Span<uint> values)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int count = batch.Count;
        if (results.Length < count || (!values.IsEmpty && values.Length < count))
        {
            throw new ArgumentException("One result slot per queued message is needed.", nameof(results));
        }

        if (count == 0)
        {
            return XfrmStatus.Success;
        }

        int result;
        int[] errors = batch.Errors;
        fixed (byte* buffer = batch.Buffer)
        fixed (int* e = errors)
        fixed (uint* v = values)
        {
            result = Interop.Xfrm.Transact(_handle, buffer, batch.Length, count, e, values.IsEmpty ? null : v,
                count > 1 ? Interop.Xfrm.TransactBarrier : 0);
        }

        if (result != 0)
        {
            batch.Clear();
            return XfrmErrno.ToStatus(result);
        }

        batch.MarkSent();
        for (int i = 0; i < count; i++)
        {
            results[i] = XfrmErrno.ToStatus(errors[i]);
        }

        return XfrmStatus.Success;
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (0 = poll, -1 = forever) for an ACQUIRE or EXPIRE.
    /// Returns <see cref="XfrmStatus.NoEvent"/> when none came, <see cref="XfrmStatus.EventsLost"/> when the kernel
    /// dropped events (the caller should resynchronise its SA table).</summary>
    public XfrmStatus TryReceiveEvent(int timeoutMilliseconds, out XfrmEvent xfrmEvent)
    {
        XfrmNativeEvent native;
        int result = Interop.Xfrm.ReceiveEvent(_handle, timeoutMilliseconds, &native);
        xfrmEvent = result == 0 ? XfrmEvent.FromNative(&native) : default;
        return XfrmErrno.ToEventStatus(result);
    }

    public void Dispose() => _handle.Dispose();

    private XfrmStatus TransactOne(byte* buffer, int length)
    {
        if (length < 0)
        {
            return XfrmErrno.ToStatus(length);
        }

        int error;
        int result = Interop.Xfrm.Transact(_handle, buffer, length, 1, &error, null, 0);
        return XfrmErrno.ToStatus(result != 0 ? result : error);
    }

    /// <summary>
    /// What <see cref="Send(XfrmBatch, Span{XfrmStatus}, Span{uint})"/> puts on the wire, without sending (tests): the
    /// batch's bytes numbered from <paramref name="firstSequence"/>, the barrier (empty without one) and each message's
    /// completion (1 its ack, 2 its answer, 3 the barrier). The batch is cleared.
    /// </summary>
    internal static (byte[] Messages, byte[] Barrier, int[] Completion) NumberForTest(XfrmBatch batch, uint firstSequence, bool barrier)
    {
        var messages = batch.Buffer.AsSpan(0, batch.Length).ToArray();
        var completion = new int[batch.Count];
        var barrierBytes = new byte[barrier ? Interop.Xfrm.BarrierSize : 0];
        int result;
        fixed (byte* m = messages)
        fixed (byte* b = barrierBytes)
        fixed (int* c = completion)
        {
            result = Interop.Xfrm.NumberBatch(m, messages.Length, batch.Count, firstSequence, barrier ? Interop.Xfrm.TransactBarrier : 0,
                b, c);
        }

        batch.Clear();
        if (result != 0)
        {
            throw new InvalidOperationException($"NumberBatch: {result}");
        }

        return (messages, barrierBytes, completion);
    }

    /// <summary>Parses one netlink message as an event (for tests and callers reading the socket themselves).</summary>
    internal static int ParseEvent(ReadOnlySpan<byte> message, out XfrmEvent xfrmEvent, out int consumed)
    {
        XfrmNativeEvent native;
        int result;
        fixed (byte* p = message)
        {
            result = Interop.Xfrm.ParseEvent(p, message.Length, &native, out consumed);
        }

        xfrmEvent = result == 0 ? XfrmEvent.FromNative(&native) : default;
        return result;
    }
}
