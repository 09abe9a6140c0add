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

    /// <summary>The steering seed of the dispatcher tests (a daemon draws one per start).</summary>
    private const ulong Seed = 0x5EED_0000_1234_5678;

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

    [Theory]
    [InlineData(2, false)]
    [InlineData(4, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void ReusePortWithTheSteeringProgramDeliversEachPeerToItsShard(int shards, bool ipv6)
    {
        // A fixed seed and a fresh one (as a daemon draws per start): the program patched with either agrees with the
        // managed hash.
        SteeredToOwner(steeringProgram: true, shards, ipv6, 0x0123_4567_89AB_CDEF);
        SteeredToOwner(steeringProgram: true, shards, ipv6, ShardSteering.NewSeed());
    }

    [Fact]
    public void ReusePortWithoutTheProgramForwardsToThePeersShard() => SteeredToOwner(steeringProgram: false, 2, ipv6: false, ShardSteering.NewSeed());

    /// <summary>
    /// Sources for the agreement tests: distinct IPv4 loopback addresses, or (IPv6) distinct documentation addresses
    /// bound with IP_FREEBIND, from which a datagram to ::1 arrives with that source; null when IPv6 is unavailable.
    /// </summary>
    internal static List<Socket>? Sources(bool ipv6, int count)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var s = new Socket(ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (ipv6)
                {
                    s.SetRawSocketOption(0 /* SOL_IP */, 15 /* IP_FREEBIND */, BitConverter.GetBytes(1));
                    s.Bind(new IPEndPoint(IPAddress.Parse($"2001:db8:{i * 7919 % 65536:x}::{i + 1:x}"), 0));
                }
                else
                {
                    s.Bind(new IPEndPoint(new IPAddress([127, 0, (byte)(i / 200), (byte)(1 + (i * 37 % 200))]), 0));
                }
            }
            catch (SocketException)
            {
                s.Dispose();
                sockets.ForEach(x => x.Dispose());
                return null;
            }

            sockets.Add(s);
        }

        return sockets;
    }

    /// <summary>
    /// The kernel's steering program and the managed hash agree: datagrams from many source addresses (several ports
    /// each, random cookies) each arrive on the shard <see cref="ShardSteering.ShardOfAddress(IPAddress, int, ulong)"/>
    /// names under <paramref name="seed"/>; without the program the shard that got it forwards it there.
    /// </summary>
    private static void SteeredToOwner(bool steeringProgram, int shards, bool ipv6, ulong seed)
    {
        // Never port 0 with SO_REUSEPORT (the kernel may pick the port of another group of this user, which this group
        // would then join): a port handed out once, on an address of this test's own for IPv4.
        var loopback = ipv6 ? IPAddress.IPv6Loopback : HostTestConfig.UniqueLoopback();
        int port;
        try
        {
            port = HostTestConfig.FreeUdpPort(loopback);
        }
        catch (SocketException)
        {
            return; // no ::1 on this machine
        }

        var inboxes = Enumerable.Range(0, shards).Select(_ => new ShardInbox(512, 2048)).ToList();
        var transports = new List<BatchedUdpTransport>();
        IReadOnlyList<IPEndPoint> listen = [new IPEndPoint(loopback, port)];
        for (var i = 0; i < shards; i++)
        {
            var sockets = new UdpSocketSet(listen, reusePort: true, steeringProgram ? shards : 0, NullLogger.Instance, seed);
            transports.Add(new BatchedUdpTransport(i, shards, sockets, true, true, inboxes, 32, 4096, NullLogger.Instance) { SteeringSeed = seed });
        }

        var clients = Sources(ipv6, 48);
        if (clients is null)
        {
            transports.ForEach(t => t.Dispose());
            inboxes.ForEach(i => i.Dispose());
            return; // no IP_FREEBIND
        }

        try
        {
            // A second port on a few addresses: the port does not move a peer.
            var random = new Random(3);
            var sent = new List<ulong>();
            var spread = new int[shards];
            for (var i = 0; i < 192; i++)
            {
                var cookie = (ulong)random.NextInt64();
                sent.Add(cookie);
                var client = clients[i % clients.Count];
                client.SendTo(Header(cookie, 0, 2, 0), listen[0]);
                spread[ShardSteering.ShardOfAddress(((IPEndPoint)client.LocalEndPoint!).Address, shards, seed)]++;
            }

            Assert.All(spread, n => Assert.True(n > 0));
            Thread.Sleep(100);
            var buffer = new byte[4096];
            var got = new List<ulong>();
            // The last shard first: whatever it forwards lands in a lower shard's inbox before that shard looks.
            for (var round = 0; round < 3; round++)
            {
                for (var shard = shards - 1; shard >= 0; shard--)
                {
                    while (transports[shard].TryReceive(buffer, TimeSpan.FromMilliseconds(20), out var datagram))
                    {
                        Assert.Equal(ShardSteering.ShardOfAddress(datagram.Remote.Address, shards, seed), shard);
                        got.Add(BinaryPrimitives.ReadUInt64BigEndian(buffer));
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
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            transports.ForEach(t => t.Dispose());
            inboxes.ForEach(i => i.Dispose());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheDispatcherHandsEachPeerToItsShard(bool ipv6)
    {
        const int Shards = 3;
        var loopback = ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        var clients = Sources(ipv6, 30);
        if (clients is null)
        {
            return;
        }

        var inboxes = Enumerable.Range(0, Shards).Select(_ => new ShardInbox(256, 2048)).ToList();
        UdpSocketSet sockets;
        try
        {
            sockets = new UdpSocketSet([new IPEndPoint(loopback, 0)], reusePort: false, 0, NullLogger.Instance);
        }
        catch (SocketException)
        {
            clients.ForEach(c => c.Dispose());
            return; // no ::1
        }

        using var ownedSockets = sockets;
        var transports = Enumerable.Range(0, Shards)
            .Select(i => new BatchedUdpTransport(i, Shards, sockets, false, false, inboxes, 32, 4096, NullLogger.Instance) { SteeringSeed = Seed })
            .ToList();
        var dispatcher = new ShardDispatcher(sockets, inboxes, 32, 4096, Seed, NullLogger.Instance);
        using var cancel = new CancellationTokenSource();
        var thread = new Thread(() => dispatcher.Run(cancel.Token, TimeSpan.FromMilliseconds(20)));
        thread.Start();
        try
        {
            var expected = new int[Shards];
            for (ulong cookie = 1; cookie <= 90; cookie++)
            {
                var client = clients[(int)cookie % clients.Count];
                client.SendTo(Header(cookie, 0, 2, 0), sockets.LocalEndPoints[0]);
                expected[ShardSteering.ShardOfAddress(((IPEndPoint)client.LocalEndPoint!).Address, Shards, Seed)]++;
            }

            var buffer = new byte[4096];
            var got = 0;
            for (var shard = 0; shard < Shards; shard++)
            {
                var mine = 0;
                while (mine < expected[shard] && transports[shard].TryReceive(buffer, Wait, out var datagram))
                {
                    Assert.Equal(shard, ShardSteering.ShardOfAddress(datagram.Remote.Address, Shards, Seed));
                    mine++;
                }

                Assert.True(mine > 0);
                got += mine;
            }

            Assert.Equal(90, got);
            Assert.Equal(90, dispatcher.Received);
        }
        finally
        {
            cancel.Cancel();
            thread.Join();
            clients.ForEach(c => c.Dispose());
            transports.ForEach(t => t.Dispose());
            inboxes.ForEach(i => i.Dispose());
        }
    }

    /// <summary>
    /// NAT rebinding across shards: a datagram whose cookies name an SA its address's shard does not own is passed to
    /// the shard the cookies name, which owns it; a passed-on datagram nobody owns is dropped and counted, not looped.
    /// </summary>
    [Fact]
    public void ADatagramOfAnSaAnotherShardOwnsIsPassedOnByItsCookies()
    {
        const int Shards = 2;
        var inboxes = Enumerable.Range(0, Shards).Select(_ => new ShardInbox(64, 2048)).ToList();
        using var sockets = new UdpSocketSet([new IPEndPoint(IPAddress.Loopback, 0)], reusePort: false, 0, NullLogger.Instance);
        var transports = Enumerable.Range(0, Shards)
            .Select(i => new BatchedUdpTransport(i, Shards, sockets, false, false, inboxes, 32, 4096, NullLogger.Instance)).ToList();
        // Shard 1 created the SA (its cookie names it); the peer's new address hashes to shard 0.
        var ours = ShardSteering.Shape(0x0BAD_CAFE_0000_0000, 1, Shards, 0);
        var peers = ShardSteering.Shape(0x1234_5678_0000_0000, 1, Shards, 0);
        transports[0].OwnsSa = (_, _) => false;
        transports[1].OwnsSa = (i, r) => i == peers && r == ours;
        try
        {
            var remote = new IPEndPoint(IPAddress.Parse("127.0.0.9"), 4500);
            var local = new IPEndPoint(IPAddress.Loopback, 500);
            var buffer = new byte[4096];
            Assert.True(inboxes[0].TryEnqueue(Header(peers, ours, 5, 7), local, remote));
            Assert.False(transports[0].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.Equal(1, transports[0].PassedOn);
            Assert.True(transports[1].TryReceive(buffer, TimeSpan.Zero, out var datagram));
            Assert.Equal(remote, datagram.Remote);
            Assert.Equal(peers, BinaryPrimitives.ReadUInt64BigEndian(buffer));

            // Stale cookies naming shard 1: passed on once, dropped there (no ping-pong).
            Assert.True(inboxes[0].TryEnqueue(Header(peers, ours + 2, 5, 7), local, remote));
            Assert.False(transports[0].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.False(transports[1].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.Equal(1, transports[1].UnownedDropped);
            Assert.True(inboxes[0].IsEmpty);

            // Cookies naming the receiving shard itself, and first messages (no responder cookie): its own engine's.
            var mine = ShardSteering.Shape(0x5555_0000_0000_0000, 0, Shards, 0);
            Assert.True(inboxes[0].TryEnqueue(Header(mine, mine, 5, 7), local, remote));
            Assert.True(transports[0].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.True(inboxes[0].TryEnqueue(Header(peers, 0, 2, 0), local, remote));
            Assert.True(transports[0].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.Equal(2, transports[0].PassedOn);
        }
        finally
        {
            transports.ForEach(t => t.Dispose());
            inboxes.ForEach(i => i.Dispose());
        }
    }

    /// <summary>
    /// With more than two shards a passed-on datagram goes to one shard only: the one named by the cookie that carries
    /// this host's mark (<see cref="ShardSteering.IsShaped"/>), not also to the shard the peer's random cookie names.
    /// Only when the peer's cookie carries the mark by chance (once in 256) do both named shards get a copy.
    /// </summary>
    [Fact]
    public void WithFourShardsAPassedOnDatagramIsCopiedToTheOwnerOnly()
    {
        const int Shards = 4;
        var inboxes = Enumerable.Range(0, Shards).Select(_ => new ShardInbox(64, 2048)).ToList();
        using var sockets = new UdpSocketSet([new IPEndPoint(IPAddress.Loopback, 0)], reusePort: false, 0, NullLogger.Instance);
        var transports = Enumerable.Range(0, Shards)
            .Select(i => new BatchedUdpTransport(i, Shards, sockets, false, false, inboxes, 32, 4096, NullLogger.Instance) { SteeringSeed = Seed })
            .ToList();
        // Shard 3 was the Phase 1 responder (its marked cookie is the responder's); the peer's cookie names shard 2.
        var ours = ShardSteering.Shape(0x0BAD_CAFE_0000_0000, 3, Shards, Seed);
        var peers = Enumerable.Range(0, 1000).Select(i => 0x1234_5678_0000_0002UL + (4UL * (ulong)i))
            .First(c => !ShardSteering.IsShaped(c, Seed));
        var markedPeer = Enumerable.Range(0, 100_000).Select(i => 0x2222_0000_0000_0002UL + (4UL * (ulong)i))
            .First(c => ShardSteering.IsShaped(c, Seed));
        Assert.True(ShardSteering.IsShaped(ours, Seed));
        Assert.Equal(2, ShardSteering.ShardOf(peers, Shards));
        for (var i = 0; i < Shards; i++)
        {
            transports[i].OwnsSa = i == 3 ? (a, b) => b == ours : (_, _) => false;
        }

        try
        {
            var remote = new IPEndPoint(IPAddress.Parse("127.0.0.9"), 4500);
            var local = new IPEndPoint(IPAddress.Loopback, 500);
            var buffer = new byte[4096];
            Assert.True(inboxes[0].TryEnqueue(Header(peers, ours, 5, 7), local, remote));
            Assert.False(transports[0].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.True(inboxes[2].IsEmpty);
            Assert.True(transports[3].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.Equal(0, transports.Sum(t => t.UnownedDropped));

            // The peer's cookie marked by chance: both named shards get a copy, the one that does not own it drops it.
            Assert.True(inboxes[0].TryEnqueue(Header(markedPeer, ours, 5, 7), local, remote));
            Assert.False(transports[0].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.True(transports[3].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.False(transports[2].TryReceive(buffer, TimeSpan.Zero, out _));
            Assert.Equal(1, transports[2].UnownedDropped);
        }
        finally
        {
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

    /// <summary>
    /// The multi-shard path allocates nothing per datagram either: the dispatcher's receive and address hash, the copy
    /// into a shard's inbox, the shard's ownership check, a datagram passed on to the shard its cookies name (a peer
    /// whose address changed), and the replies, all driven on this thread after a warm-up while peers on several
    /// addresses (two shards' worth) send from another thread.
    /// </summary>
    [Fact]
    public void TheDispatcherToInboxToShardPathAllocatesNothingPerDatagram()
    {
        const int Shards = 2;
        var inboxes = Enumerable.Range(0, Shards).Select(_ => new ShardInbox(1024, 2048)).ToList();
        using var sockets = new UdpSocketSet([new IPEndPoint(IPAddress.Loopback, 0)], reusePort: false, 0, NullLogger.Instance);
        var transports = Enumerable.Range(0, Shards)
            .Select(i => new BatchedUdpTransport(i, Shards, sockets, false, false, inboxes, 32, 4096, NullLogger.Instance) { SteeringSeed = Seed })
            .ToList();
        var dispatcher = new ShardDispatcher(sockets, inboxes, 32, 4096, Seed, NullLogger.Instance);
        // Every SA is shard 1's (its cookie names it); peers on shard 0's addresses are passed on to it.
        var ours = ShardSteering.Shape(0x0BAD_CAFE_0000_0000, 1, Shards, Seed);
        transports[0].OwnsSa = (_, r) => r != ours;
        transports[1].OwnsSa = (_, r) => r == ours;
        var clients = Sources(ipv6: false, 8)!;
        Assert.Contains(clients, c => ShardSteering.ShardOfAddress(((IPEndPoint)c.LocalEndPoint!).Address, Shards, Seed) == 0);
        Assert.Contains(clients, c => ShardSteering.ShardOfAddress(((IPEndPoint)c.LocalEndPoint!).Address, Shards, Seed) == 1);
        const int Chunk = 32;
        const int WarmChunks = 20;
        const int MeasuredChunks = 100;
        var target = sockets.LocalEndPoints[0];
        using var sent = new SemaphoreSlim(0);
        using var next = new SemaphoreSlim(0);
        var peer = new Thread(() =>
        {
            var message = Header(0x1122334455667788, ours, 32, 1, length: 300);
            for (var c = 0; c < WarmChunks + MeasuredChunks; c++)
            {
                for (var i = 0; i < Chunk; i++)
                {
                    clients[i % clients.Count].SendTo(message, target);
                }

                sent.Release();
                if (!next.Wait(TimeSpan.FromSeconds(5)))
                {
                    return;
                }
            }
        });
        peer.Start();

        var descriptors = sockets.Descriptors.ToArray();
        var buffer = new byte[4096];
        long before = 0;
        var handled = 0;
        try
        {
            for (var c = 0; c < WarmChunks + MeasuredChunks; c++)
            {
                if (c == WarmChunks)
                {
                    before = GC.GetAllocatedBytesForCurrentThread();
                }

                Assert.True(sent.Wait(TimeSpan.FromSeconds(5)));
                var got = 0;
                var deadline = Environment.TickCount64 + 5000;
                while (got < Chunk && Environment.TickCount64 < deadline)
                {
                    dispatcher.RunOnce(descriptors, 1);
                    foreach (var shard in transports)
                    {
                        while (shard.TryReceive(buffer, TimeSpan.Zero, out var datagram))
                        {
                            shard.Send(buffer.AsSpan(0, 8), datagram.Local, datagram.Remote);
                            got++;
                        }

                        shard.Flush();
                    }
                }

                // (Assert.Equal allocates a comparer: not inside the measured loop.)
                Assert.True(got == Chunk);
                handled += got;
                next.Release();
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(Chunk * (WarmChunks + MeasuredChunks), handled);
            Assert.Equal(0, allocated);
            // Only shard 1 handed datagrams to its engine; shard 0 passed its peers' datagrams on.
            Assert.True(transports[0].PassedOn > 0);
            Assert.Equal(0, transports[1].PassedOn);
            Assert.Equal(0, transports[1].UnownedDropped);
        }
        finally
        {
            next.Release(WarmChunks + MeasuredChunks);
            peer.Join();
            clients.ForEach(x => x.Dispose());
            transports.ForEach(t => t.Dispose());
            inboxes.ForEach(i => i.Dispose());
        }
    }
}
