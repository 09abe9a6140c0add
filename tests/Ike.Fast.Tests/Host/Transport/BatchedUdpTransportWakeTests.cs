using System.Diagnostics;
using System.Net;
using Ike.Fast.Host.Sharding;
using Ike.Fast.Host.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Transport;

/// <summary>
/// <see cref="IWakeableTransport"/> on the batched transport: another thread (the DH worker) ends the loop's wait, and
/// work announced before the wait keeps it from sleeping at all. Times are generous bounds, never speed assertions:
/// the point is that the wait ends long before its 10 s timeout.
/// </summary>
public sealed class BatchedUdpTransportWakeTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    private static (BatchedUdpTransport Transport, ShardInbox Inbox) Single()
    {
        var inbox = new ShardInbox(64, 2048);
        var sockets = new UdpSocketSet([new IPEndPoint(IPAddress.Loopback, 0)], reusePort: false, 0, NullLogger.Instance);
        return (new BatchedUdpTransport(0, 1, sockets, ownsSockets: true, receiveSockets: true, [inbox], 32, 4096, NullLogger.Instance), inbox);
    }

    [Fact]
    public void WakeFromAnotherThreadEndsTheWait()
    {
        var (transport, inbox) = Single();
        using var ownedTransport = transport;
        using var ownedInbox = inbox;
        var pending = 0;
        transport.PendingWork = () => Volatile.Read(ref pending) != 0;
        var waker = new Thread(() =>
        {
            Thread.Sleep(50);
            Volatile.Write(ref pending, 1);
            transport.Wake();
        });
        var clock = Stopwatch.StartNew();
        waker.Start();
        Assert.False(transport.TryReceive(new byte[4096], Long, out _));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        waker.Join();
    }

    [Fact]
    public void PendingWorkSkipsTheSleep()
    {
        var (transport, inbox) = Single();
        using var ownedTransport = transport;
        using var ownedInbox = inbox;
        transport.PendingWork = () => true;
        var clock = Stopwatch.StartNew();
        Assert.False(transport.TryReceive(new byte[4096], Long, out _));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void WakeWithoutASleeperIsHarmless()
    {
        var (transport, inbox) = Single();
        using var ownedTransport = transport;
        using var ownedInbox = inbox;
        transport.Wake();
        Assert.False(transport.TryReceive(new byte[4096], TimeSpan.FromMilliseconds(20), out _));
    }
}
