using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Ike.Fast.Host.Sharding;
using Ike.Fast.Host.Transport;
using Ike.Native.Udp;
using Microsoft.Extensions.Logging.Abstractions;
using static Ike.Fast.Tests.Host.Admission.IsakmpClassifierTests;

namespace Ike.Fast.Tests.Host.Transport;

/// <summary>The batched transport on loopback: addresses, batching order, steering between shards, no allocation per datagram.</summary>
public sealed class BatchedUdpTransportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(500);

    private static (BatchedUdpTransport Transport, ShardInbox Inbox) Single(IPEndPoint listen, int batch = 32)
    {
        var inbox = new ShardInbox(64, 2048);
        var sockets = new UdpSocketSet([listen], reusePort: false, 0, NullLogger.Instance);
        return (new BatchedUdpTransport(0, 1, sockets, ownsSockets: true, receiveSockets: true, [inbox], batch, 4096, NullLogger.Instance), inbox);
    }

    [Fact]
    public void AWildcardSocketReportsTheDestinationAndRepliesFromIt()
    {
        Assert.True(UdpBatch.IsSupported);
        var (transport, inbox) = Single(new IPEndPoint(IPAddress.Any, 0));
        using var ownedTransport = transport;
        using var ownedInbox = inbox;
        var port = transport.LocalEndPoints[0].Port;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        client.SendTo(Header(5, 0, 2, 0), new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));

        var buffer = new byte[4096];
        Assert.True(transport.TryReceive(buffer, Wait, out var datagram));
        Assert.Equal(28, datagram.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port), datagram.Local);
        Assert.Equal(client.LocalEndPoint, datagram.Remote);

        Assert.Equal(datagram.Local, transport.Send([1, 2, 3], datagram.Local, datagram.Remote));
        transport.Flush();
        var reply = new byte[16];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        client.ReceiveTimeout = 2000;
        Assert.Equal(3, client.ReceiveFrom(reply, ref from));
        // The reply left from the address the request went to (IP_PKTINFO on send), not 127.0.0.1.
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port), from);
    }

    [Fact]
    public void Ipv6LoopbackWorksToo()
    {
        var (transport, inbox) = Single(new IPEndPoint(IPAddress.IPv6Any, 0));
        using var ownedTransport = transport;
        using var ownedInbox = inbox;
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            client.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        }
        catch (SocketException)
        {
            return; // no ::1 on this machine
        }

        client.SendTo(Header(5, 0, 2, 0), new IPEndPoint(IPAddress.IPv6Loopback, transport.LocalEndPoints[0].Port));
        var buffer = new byte[4096];
        Assert.True(transport.TryReceive(buffer, Wait, out var datagram));
        Assert.Equal(IPAddress.IPv6Loopback, datagram.Local.Address);
        Assert.Equal(client.LocalEndPoint, datagram.Remote);
        transport.Send([9], datagram.Local, datagram.Remote);
        transport.Flush();
        client.ReceiveTimeout = 2000;
        Assert.Equal(1, client.Receive(new byte[4]));
    }

    [Fact]
    public void ExistingPeersComeOutOfABatchBeforeNewPhase1s()
    {
        var (transport, inbox) = Single(new IPEndPoint(IPAddress.Loopback, 0));
        using var ownedTransport = transport;
        using var ownedInbox = inbox;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var target = transport.LocalEndPoints[0];
        client.SendTo(Header(1, 0, 2, 0), target); // MM1
        client.SendTo(Header(2, 3, 32, 7), target); // Quick Mode
        client.SendTo(Header(4, 0, 4, 0), target); // AM1
        client.SendTo(Header(5, 6, 5, 9), target); // DPD
        Thread.Sleep(50);

        var buffer = new byte[4096];
        var order = new List<ulong>();
        while (order.Count < 4 && transport.TryReceive(buffer, Wait, out _))
        {
            order.Add(BinaryPrimitives.ReadUInt64BigEndian(buffer));
        }

        Assert.Equal([2UL, 5UL, 1UL, 4UL], order);
        Assert.False(transport.IsBehind);
    }

    [Fact]
    public void ReusePortWithTheSteeringProgramDeliversEachCookieToItsShard() => SteeredToOwner(steeringProgram: true);

    [Fact]
    public void ReusePortWithoutTheProgramForwardsToTheOwner() => SteeredToOwner(steeringProgram: false);

    private static void SteeredToOwner(bool steeringProgram)
    {
        const int Shards = 2;
        var inboxes = Enumerable.Range(0, Shards).Select(_ => new ShardInbox(256, 2048)).ToList();
        var transports = new List<BatchedUdpTransport>();
        IReadOnlyList<IPEndPoint> listen = [new IPEndPoint(IPAddress.Loopback, 0)];
        for (var i = 0; i < Shards; i++)
        {
            var sockets = new UdpSocketSet(listen, reusePort: true, steeringProgram ? Shards : 0, NullLogger.Instance);
            listen = [.. sockets.LocalEndPoints];
            transports.Add(new BatchedUdpTransport(i, Shards, sockets, true, true, inboxes, 32, 4096, NullLogger.Instance));
        }

        try
        {
            var clients = Enumerable.Range(0, 16).Select(_ =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                return s;
            }).ToList();
            var random = new Random(3);
            var sent = new List<ulong>();
            for (var i = 0; i < 160; i++)
            {
                var cookie = (ulong)random.NextInt64();
                sent.Add(cookie);
                clients[i % clients.Count].SendTo(Header(cookie, 0, 2, 0), listen[0]);
            }

            Thread.Sleep(100);
            var buffer = new byte[4096];
            var got = new List<ulong>();
            // Shard 1 first: whatever it forwards lands in shard 0's inbox before shard 0 looks, and vice versa after.
            for (var round = 0; round < 3; round++)
            {
                for (var shard = Shards - 1; shard >= 0; shard--)
                {
                    while (transports[shard].TryReceive(buffer, TimeSpan.FromMilliseconds(20), out _))
                    {
                        var cookie = BinaryPrimitives.ReadUInt64BigEndian(buffer);
                        Assert.Equal(ShardSteering.ShardOf(cookie, Shards), shard);
                        got.Add(cookie);
                    }
                }
            }

            Assert.Equal(sent.Order(), got.Order());
            var forwarded = transports.Sum(t => t.Forwarded);
            if (steeringProgram)
            {
                Assert.Equal(0, forwarded);
            }
            else
            {
                Assert.True(forwarded > 0);
            }

            clients.ForEach(c => c.Dispose());
        }
        finally
        {
            transports.ForEach(t => t.Dispose());
            inboxes.ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public void TheDispatcherHandsEachCookieToItsShard()
    {
        const int Shards = 3;
        var inboxes = Enumerable.Range(0, Shards).Select(_ => new ShardInbox(256, 2048)).ToList();
        using var sockets = new UdpSocketSet([new IPEndPoint(IPAddress.Loopback, 0)], reusePort: false, 0, NullLogger.Instance);
        var transports = Enumerable.Range(0, Shards)
            .Select(i => new BatchedUdpTransport(i, Shards, sockets, false, false, inboxes, 32, 4096, NullLogger.Instance)).ToList();
        var dispatcher = new ShardDispatcher(sockets, inboxes, 32, 4096, NullLogger.Instance);
        using var cancel = new CancellationTokenSource();
        var thread = new Thread(() => dispatcher.Run(cancel.Token, TimeSpan.FromMilliseconds(20)));
        thread.Start();
        try
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            for (ulong cookie = 1; cookie <= 90; cookie++)
            {
                client.SendTo(Header(cookie, 0, 2, 0), sockets.LocalEndPoints[0]);
            }

            var buffer = new byte[4096];
            var got = 0;
            for (var shard = 0; shard < Shards; shard++)
            {
                var mine = 0;
                while (mine < 30 && transports[shard].TryReceive(buffer, Wait, out var datagram))
                {
                    Assert.Equal(shard, ShardSteering.ShardOf(BinaryPrimitives.ReadUInt64BigEndian(buffer), Shards));
                    Assert.Equal(client.LocalEndPoint, datagram.Remote);
                    mine++;
                }

                got += mine;
            }

            Assert.Equal(90, got);
            Assert.Equal(90, dispatcher.Received);
        }
        finally
        {
            cancel.Cancel();
            thread.Join();
            transports.ForEach(t => t.Dispose());
            inboxes.ForEach(i => i.Dispose());
        }
    }

    /// <summary>
    /// The host path allocates nothing per datagram: on the loop's thread, receive (recvmmsg into the pinned slab,
    /// addresses from the endpoint cache) and send (sendmmsg from the pinned slab) thousands of datagrams, after a
    /// warm-up, and read GC.GetAllocatedBytesForCurrentThread around them. The peer runs on another thread.
    /// </summary>
    [Fact]
    public void ReceivingAndSendingAllocatesNothingPerDatagram()
    {
        var (transport, inbox) = Single(new IPEndPoint(IPAddress.Any, 0), batch: 32);
        using var ownedTransport = transport;
        using var ownedInbox = inbox;
        var target = new IPEndPoint(IPAddress.Loopback, transport.LocalEndPoints[0].Port);
        const int Chunk = 32;
        const int WarmChunks = 20;
        const int MeasuredChunks = 100;
        using var peerReady = new SemaphoreSlim(0);
        using var echoed = new SemaphoreSlim(0);
        var peer = new Thread(() =>
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            client.ReceiveTimeout = 5000;
            var message = Header(0x1122334455667788, 0x99, 32, 1, length: 300);
            var reply = new byte[4096];
            for (var c = 0; c < WarmChunks + MeasuredChunks; c++)
            {
                for (var i = 0; i < Chunk; i++)
                {
                    client.SendTo(message, target);
                }

                for (var i = 0; i < Chunk; i++)
                {
                    client.Receive(reply);
                }

                echoed.Release();
            }
        });
        peer.Start();

        var buffer = new byte[4096];
        long before = 0;
        var datagrams = 0;
        for (var c = 0; c < WarmChunks + MeasuredChunks; c++)
        {
            if (c == WarmChunks)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            for (var i = 0; i < Chunk; i++)
            {
                Assert.True(transport.TryReceive(buffer, TimeSpan.FromSeconds(5), out var datagram));
                transport.Send(buffer.AsSpan(0, datagram.Length), datagram.Local, datagram.Remote);
                datagrams++;
            }

            // The replies leave before the next receive call; wait for the peer so its socket never overflows.
            transport.Flush();
            Assert.True(echoed.Wait(TimeSpan.FromSeconds(5)));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        peer.Join();
        Assert.Equal(Chunk * (WarmChunks + MeasuredChunks), datagrams);
        Assert.Equal(0, allocated);
        // Batching happened: far fewer system calls than datagrams.
        Assert.True(transport.ReceiveCalls < datagrams);
    }
}
