using System.Collections.Concurrent;
using System.Net;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Transport;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary>
/// The daemon loop's side of <see cref="ISaInstaller.HeldBackFor"/> and <see cref="ISaInstaller.Flush"/> (XFRM removals
/// held back to share the next install's netlink message): while the installer holds work back the loop sleeps no
/// longer than it may wait, asks for due work once per iteration, and sends everything when it stops.
/// </summary>
public sealed class HeldBackInstallerLoopTests
{
    [Fact]
    public void LoopSleepsNoLongerThanHeldWorkMayWaitFlushesItAndFlushesAllWhenItStops()
    {
        using var dir = new TempConfigDirectory();
        var local = new IPEndPoint(IPAddress.Loopback, 500);
        using var configuration = HostTestConfig.Side(dir, "a", local, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 500),
            initiate: false, "10.1.0.0/24", "10.2.0.0/24", TestSocketPath.Create());
        using var transport = new IdleTransport(local);
        var installer = new HoldingInstaller { Held = TimeSpan.FromMilliseconds(30) };
        var daemon = new IkeDaemon(configuration, transport, installer, new SaRegistry(TimeProvider.System),
            new DaemonOptions { MaxWait = TimeSpan.FromMinutes(10) }, NullLogger<IkeDaemon>.Instance);
        using var cancel = new CancellationTokenSource();
        var loop = new Thread(() => daemon.Run(cancel.Token)) { IsBackground = true };
        loop.Start();

        Assert.True(SpinWait.SpinUntil(() => installer.DueFlushes > 0, TimeSpan.FromSeconds(30)));
        Assert.True(SpinWait.SpinUntil(() => !transport.Timeouts.IsEmpty, TimeSpan.FromSeconds(30)));
        // Every sleep while work was held back: at most its 30 ms, not the loop's 10 minutes.
        Assert.All(transport.Timeouts, t => Assert.True(t <= TimeSpan.FromMilliseconds(30), t.ToString()));
        Assert.Equal(0, installer.FullFlushes);

        installer.Held = null;
        var seen = transport.Timeouts.Count;
        Assert.True(SpinWait.SpinUntil(() => transport.Timeouts.Skip(seen).Any(t => t > TimeSpan.FromMilliseconds(100)), TimeSpan.FromSeconds(30)));

        cancel.Cancel();
        transport.Stop();
        Assert.True(loop.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, installer.FullFlushes);
    }

    /// <summary>Holds work back for <see cref="Held"/> (null: nothing held) and counts the loop's flushes.</summary>
    private sealed class HoldingInstaller : ISaInstaller
    {
        private long _held = -1;

        public TimeSpan? Held
        {
            get => Interlocked.Read(ref _held) is var t and >= 0 ? TimeSpan.FromTicks(t) : null;
            set => Interlocked.Exchange(ref _held, value?.Ticks ?? -1);
        }

        public int DueFlushes;

        public int FullFlushes;

        public TimeSpan? HeldBackFor => Held;

        public void Flush(bool dueOnly)
        {
            if (dueOnly)
            {
                Interlocked.Increment(ref DueFlushes);
            }
            else
            {
                Interlocked.Increment(ref FullFlushes);
            }
        }

        public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote) => 0x1000;

        public void Release(IpsecProtocol protocol, uint spi)
        {
        }

        public void Install(ChildSaInfo sa)
        {
        }

        public void Delete(ChildSaInfo sa)
        {
        }
    }

    /// <summary>No datagrams; records every receive timeout the loop asks for.</summary>
    private sealed class IdleTransport(IPEndPoint local) : IDatagramTransport
    {
        private readonly ManualResetEventSlim _stop = new();

        public ConcurrentQueue<TimeSpan> Timeouts { get; } = new();

        public IReadOnlyList<IPEndPoint> LocalEndPoints { get; } = [local];

        public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedDatagram datagram)
        {
            Timeouts.Enqueue(timeout);
            _stop.Wait(timeout < TimeSpan.FromMilliseconds(5) ? timeout : TimeSpan.FromMilliseconds(5));
            datagram = default;
            return false;
        }

        public IPEndPoint Send(ReadOnlySpan<byte> datagram, IPEndPoint from, IPEndPoint remote) => from;

        public void Stop() => _stop.Set();

        public void Dispose() => _stop.Dispose();
    }
}
