using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Ike.Native.Udp;

namespace Ike.Fast.LoadTest;

/// <summary>
/// One UDP socket for every synthetic peer of a generator thread, with batched I/O (recvmmsg/sendmmsg through
/// <see cref="UdpBatch"/>): the socket is bound to the wildcard address, each datagram leaves from its peer's own source
/// address (IP_PKTINFO <c>ipi_spec_dst</c>, ip(7)) and a reply is routed back to its peer by the address it was sent to
/// (IP_PKTINFO <c>ipi_addr</c>). A socket per peer cost the generator a socket, a bind and an epoll registration per
/// peer, three system calls per received datagram and one per sent datagram; here a loop turn costs one
/// <c>recvmmsg</c> per 64 datagrams received and one <c>sendmmsg</c> per 64 sent. The peers keep distinct source
/// addresses (and identities); they share the source port, which an IKE responder does not care about. Needs
/// specific IPv4 source addresses that are local (127.0.0.0/8, or a prefix on an interface): with the wildcard source
/// the per-peer sockets remain (each peer then differs by its port).
/// </summary>
internal sealed unsafe class SharedPeerSocket : IDisposable
{
    /// <summary>Largest datagram received (RSA certificate flights stay well under it; larger ones are dropped as truncated).</summary>
    private const int ReceiveSlotSize = 16384;

    /// <summary>Largest datagram sent through a batch slot; a larger one is sent on its own.</summary>
    private const int SendSlotSize = 16384;

    /// <summary>Socket buffers large enough for a few thousand handshakes in flight.</summary>
    private const int SocketBufferBytes = 8 << 20;

    private readonly Socket _socket;
    private readonly int _fd;
    private readonly byte[] _receiveSlab = GC.AllocateArray<byte>(UdpBatch.MaxBatch * ReceiveSlotSize, pinned: true);
    private readonly byte[] _sendSlab = GC.AllocateArray<byte>(UdpBatch.MaxBatch * SendSlotSize, pinned: true);
    private readonly UdpSlot[] _receiveSlots = GC.AllocateArray<UdpSlot>(UdpBatch.MaxBatch, pinned: true);
    private readonly UdpSlot[] _sendSlots = GC.AllocateArray<UdpSlot>(UdpBatch.MaxBatch, pinned: true);
    private readonly byte* _sendBase;
    private int _pending;

    private SharedPeerSocket(Socket socket)
    {
        _socket = socket;
        _fd = UdpBatch.Descriptor(socket);
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var receiveBase = (byte*)Unsafe.AsPointer(ref _receiveSlab[0]);
        _sendBase = (byte*)Unsafe.AsPointer(ref _sendSlab[0]);
        for (int i = 0; i < UdpBatch.MaxBatch; i++)
        {
            _receiveSlots[i].Buffer = receiveBase + (i * ReceiveSlotSize);
            _receiveSlots[i].Capacity = ReceiveSlotSize;
            _sendSlots[i].Buffer = _sendBase + (i * SendSlotSize);
            _sendSlots[i].Capacity = SendSlotSize;
            _sendSlots[i].Family = 4;
        }
    }

    /// <summary>The port every peer of this socket sends from.</summary>
    public int Port { get; }

    /// <summary>The socket (for <see cref="EpollSet"/>).</summary>
    public Socket Socket => _socket;

    /// <summary>Datagrams that could not be sent (full socket buffer): lost, as on a real network (counter).</summary>
    public long SendFailures { get; private set; }

    /// <summary>
    /// Whether peers starting at <paramref name="firstSource"/> can share one socket: a specific IPv4 address, Linux
    /// with the native library, and not turned off (<c>IKEFAST_LOADTEST_SOCKETS=per-peer</c>).
    /// </summary>
    public static bool Usable(IPAddress firstSource, IPEndPoint target) =>
        firstSource.AddressFamily == AddressFamily.InterNetwork
        && target.AddressFamily == AddressFamily.InterNetwork
        && !firstSource.Equals(IPAddress.Any)
        && !string.Equals(Environment.GetEnvironmentVariable(ModeEnvironmentVariable), "per-peer", StringComparison.OrdinalIgnoreCase)
        && UdpBatch.IsSupported;

    /// <summary>True when <paramref name="address"/> is one of this host's (a socket can be bound to it).</summary>
    public static bool IsLocal(IPAddress address)
    {
        try
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Environment variable: <c>per-peer</c> = one socket per synthetic peer (the previous design).</summary>
    public const string ModeEnvironmentVariable = "IKEFAST_LOADTEST_SOCKETS";

    /// <summary>A wildcard IPv4 socket on a free port with IP_PKTINFO, or null when one cannot be opened.</summary>
    /// <param name="loopback">
    /// The target is on loopback (MTU 64 KiB): the datagrams carry DF (IP_PMTUDISC_DO), which spares the kernel the
    /// per-datagram IP ID hash of unconnected sockets (<c>__ip_select_ident</c>); elsewhere a large certificate
    /// flight must still be fragmented, so no DF.
    /// </param>
    public static SharedPeerSocket? TryCreate(bool loopback)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            if (loopback)
            {
                socket.DontFragment = true;
            }

            TrySetBuffers(socket);
            socket.Bind(new IPEndPoint(IPAddress.Any, 0));
            return new SharedPeerSocket(socket);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    private static void TrySetBuffers(Socket socket)
    {
        try
        {
            socket.ReceiveBufferSize = SocketBufferBytes;
            socket.SendBufferSize = SocketBufferBytes;
        }
        catch (SocketException)
        {
            // the system's maximum applies
        }
    }

    /// <summary>
    /// Queues <paramref name="datagram"/> from <paramref name="source"/> (an IPv4 address in network order) to
    /// <paramref name="remote"/>; the batch leaves at <see cref="Flush"/> or when it is full.
    /// </summary>
    public void Enqueue(ReadOnlySpan<byte> datagram, uint source, IPEndPoint remote)
    {
        if (datagram.Length > SendSlotSize)
        {
            Flush();
            SendLarge(datagram, source, remote);
            return;
        }

        if (_pending == UdpBatch.MaxBatch)
        {
            Flush();
        }

        ref UdpSlot slot = ref _sendSlots[_pending++];
        datagram.CopyTo(new Span<byte>(slot.Buffer, SendSlotSize));
        slot.Length = datagram.Length;
        WriteAddress(ref slot, source, remote);
    }

    /// <summary>Sends the queued datagrams (sendmmsg); a datagram the kernel refuses is counted and skipped.</summary>
    public void Flush()
    {
        int done = 0;
        while (done < _pending)
        {
            int sent = UdpBatch.Send(_fd, _sendSlots.AsSpan(done, _pending - done));
            if (sent > 0)
            {
                done += sent;
            }
            else
            {
                SendFailures++;
                done++; // EAGAIN (full buffer) or an ICMP error reported now: this datagram is lost
            }
        }

        _pending = 0;
    }

    /// <summary>Receives up to a batch without blocking; the datagrams are in <see cref="ReceivedSlot"/> 0..n-1.</summary>
    public int Receive() => Math.Max(0, UdpBatch.Receive(_fd, _receiveSlots));

    /// <summary>The <paramref name="index"/>th datagram of the last <see cref="Receive"/>.</summary>
    public ref readonly UdpSlot ReceivedSlot(int index) => ref _receiveSlots[index];

    /// <summary>A received datagram's bytes (empty when it was truncated).</summary>
    public ReadOnlySpan<byte> Payload(in UdpSlot slot) => slot.Flags != 0 ? default : new ReadOnlySpan<byte>(slot.Buffer, slot.Length);

    /// <summary>The destination (local) IPv4 address of a received datagram, network order.</summary>
    public static uint LocalAddress(in UdpSlot slot) => BinaryPrimitives.ReadUInt32BigEndian(slot.Local);

    /// <summary>The sender's IPv4 address of a received datagram, network order.</summary>
    public static uint RemoteAddress(in UdpSlot slot) => BinaryPrimitives.ReadUInt32BigEndian(slot.Remote);

    private void SendLarge(ReadOnlySpan<byte> datagram, uint source, IPEndPoint remote)
    {
        byte[] copy = GC.AllocateArray<byte>(datagram.Length, pinned: true);
        datagram.CopyTo(copy);
        Span<UdpSlot> one = stackalloc UdpSlot[1];
        one[0].Buffer = (byte*)Unsafe.AsPointer(ref copy[0]);
        one[0].Length = copy.Length;
        one[0].Capacity = copy.Length;
        one[0].Family = 4;
        WriteAddress(ref one[0], source, remote);
        if (UdpBatch.Send(_fd, one) != 1)
        {
            SendFailures++;
        }

        GC.KeepAlive(copy);
    }

    private static void WriteAddress(ref UdpSlot slot, uint source, IPEndPoint remote)
    {
        BinaryPrimitives.WriteUInt32BigEndian(slot.Local, source);
        remote.Address.TryWriteBytes(slot.Remote, out _);
        slot.RemotePort = (ushort)remote.Port;
    }

    public void Dispose()
    {
        Flush();
        _socket.Dispose();
    }
}
