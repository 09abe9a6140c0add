using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Ike.Fast.Policy;

namespace Ike.Fast.LoadTest;

/// <summary>
/// One synthetic initiator: its own source address (from 127.0.0.0/8 on loopback) and identity, and either a port
/// shared with the other peers of its generator thread (<see cref="SharedPeerSocket"/>, no socket of its own) or its
/// own UDP socket (wildcard source: the peers differ by port). An own socket is read by the shard's epoll loop, or
/// asynchronously off Linux (the runtime's epoll thread completes the receives and hands them to the owning
/// <see cref="GeneratorShard"/>'s inbox); all engine work stays on the shard's thread.
/// </summary>
internal sealed class SyntheticPeer : IDisposable
{
    /// <summary>PSK handshakes without certificates stay well under this; larger datagrams are truncated and fail to parse.</summary>
    private const int ReceiveBufferSize = 4096;

    private readonly Socket? _socket;
    private readonly SocketAsyncEventArgs? _receive;
    private readonly Action<SyntheticPeer, byte[], int, IPEndPoint>? _deliver;
    private readonly SocketAddress? _from;
    private volatile bool _disposed;
    private IPEndPoint? _natLocal;

    /// <summary>A peer on <paramref name="address"/> sending through a <see cref="SharedPeerSocket"/> bound to <paramref name="sharedPort"/>.</summary>
    public SyntheticPeer(int index, IPAddress address, int sharedPort)
    {
        Index = index;
        LocalEndPoint = new IPEndPoint(address, sharedPort);
        Identity = IkeIdentity.FromAddress(address);
        SourceAddress = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
    }

    /// <summary>A peer with its own socket bound to <paramref name="address"/> and an ephemeral port.</summary>
    public SyntheticPeer(int index, IPAddress address, Action<SyntheticPeer, byte[], int, IPEndPoint> deliver)
    {
        Index = index;
        _deliver = deliver;
        _receive = new SocketAsyncEventArgs();
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(new IPEndPoint(address, 0));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _from = new SocketAddress(address.AddressFamily);
        Identity = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            ? IkeIdentity.Parse($"@peer{index}.loadtest.ikefast")
            : IkeIdentity.FromAddress(address);
        _receive.SetBuffer(new byte[ReceiveBufferSize], 0, ReceiveBufferSize);
        _receive.RemoteEndPoint = new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _receive.Completed += (_, e) => OnReceived(e);
    }

    public int Index { get; }

    /// <summary>The peer's own socket (for <see cref="EpollSet"/>); null when it sends through a <see cref="SharedPeerSocket"/>.</summary>
    public Socket? Socket => _socket;

    /// <summary>Shared socket: the source address in network order (IP_PKTINFO).</summary>
    public uint SourceAddress { get; }

    /// <summary>Hashes of the last datagrams sent (retransmission counting).</summary>
    public ulong[] RecentSends { get; } = new ulong[4];

    /// <summary>The bound source address and port.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Our address with UDP 4500: what the engine calls its local end once it floated (RFC 3947 section 4).</summary>
    public IPEndPoint NatTraversalLocalEndPoint => _natLocal ??= new IPEndPoint(LocalEndPoint.Address, Ike.Fast.Protocol.Endpoint.NatTraversalPort);

    /// <summary>Phase 1 identity: the source address (ID_IPV4_ADDR), or an FQDN when the address is the wildcard.</summary>
    public IkeIdentity Identity { get; }

    /// <summary>The peer's Phase 1 authentication (identity, certificate), made once and shared by its handshakes.</summary>
    public AuthConfig? LocalAuth { get; set; }

    /// <summary>The handshake this peer is running or holding, if any.</summary>
    public Handshake? Current { get; set; }

    public void StartReceiving()
    {
        if (_socket is null || _receive is null)
        {
            return;
        }

        while (!_disposed)
        {
            bool pending;
            try
            {
                pending = _socket.ReceiveFromAsync(_receive);
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (pending || !Consume(_receive))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Reads one waiting datagram without blocking (the epoll path); false when none is waiting. The sender is
    /// <paramref name="expected"/> itself when it matches (no allocation), else a new endpoint.
    /// </summary>
    public bool TryReceive(Span<byte> buffer, IPEndPoint expected, SocketAddress expectedAddress, out int length, out IPEndPoint remote)
    {
        length = 0;
        remote = expected;
        try
        {
            if (_disposed || _socket is null || _socket.Available == 0)
            {
                return false;
            }

            length = _socket.ReceiveFrom(buffer, SocketFlags.None, _from!);
        }
        catch (SocketException)
        {
            // ICMP port unreachable surfaces as ConnectionReset on the next read: nothing to deliver.
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        if (!_from!.Equals(expectedAddress))
        {
            remote = (IPEndPoint)expected.Create(_from!);
        }

        return true;
    }

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        try
        {
            _socket?.SendTo(datagram, SocketFlags.None, remote);
        }
        catch (SocketException)
        {
            // ICMP port unreachable reported on a later send, or a full socket buffer: the datagram is lost, as on a
            // real network; retransmission or the handshake timeout deals with it.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnReceived(SocketAsyncEventArgs e)
    {
        if (Consume(e))
        {
            StartReceiving();
        }
    }

    /// <summary>Hands a completed receive over; false when the socket is closed.</summary>
    private bool Consume(SocketAsyncEventArgs e)
    {
        if (_disposed || e.SocketError is SocketError.OperationAborted or SocketError.Shutdown)
        {
            return false;
        }

        if (e.SocketError == SocketError.Success && e.BytesTransferred > 0)
        {
            byte[] copy = ArrayPool<byte>.Shared.Rent(e.BytesTransferred);
            e.Buffer.AsSpan(0, e.BytesTransferred).CopyTo(copy);
            _deliver!(this, copy, e.BytesTransferred, (IPEndPoint)e.RemoteEndPoint!);
        }

        // Other errors (ConnectionReset from an ICMP unreachable) are transient on UDP: keep receiving.
        return true;
    }

    public void Dispose()
    {
        _disposed = true;
        _socket?.Dispose();
        _receive?.Dispose();
    }
}
