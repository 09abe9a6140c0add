using System.Collections.Concurrent;
using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Transport;
using Ike.Fast.LoadTest;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ike.Fast.Tests.Host;

/// <summary>
/// Managed bytes the responder keeps per established Phase 1 with two Phase 2 SAs: the daemon loop (engine, SA
/// registry, lifetimes, memory installer) answering synthetic initiators over an in-memory transport. Initiators live
/// in throw-away endpoints (dropped without Delete), so after a full GC only the responder's state remains;
/// GC.GetTotalMemory(true) (the process-wide key buffer pool emptied first) after N SAs minus after a warm-up (the pools,
/// whose size follows the handshake rate and not the SA count, reach their level before the first reading), divided by
/// the SAs added. CI runs a few hundred; IKEFAST_MEMORY_SAS=10000 (or 16000) gives the closing note's figures, with
/// both warm-ups (5,000 and 1,000).
/// </summary>
[Collection(SoloCollection.Name)]
public sealed class MemoryPerSaTests(ITestOutputHelper output)
{
    private static readonly IPEndPoint Daemon = new(IPAddress.Loopback, 500);

    /// <summary>
    /// Replies kept for retransmitted requests (30 s by default): shortened so the figure is the steady state, and short
    /// enough that few flight buffers are held at once (the pool keeps the peak: at 500 ms its level followed the
    /// machine's speed and moved the 1,000-SA figure by 2 KiB between runs).
    /// </summary>
    private const long ReplyCacheMs = 20;

    [Fact]
    public void ManagedBytesPerPhase1WithTwoPhase2Sas()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("IKEFAST_MEMORY_SAS"), out var n) ? n : 300;
        // Both warm-ups at 5,000 SAs or more (IKEFAST_MEMORY_WARMUP picks one): 5,000 is past the 4,096 entries at which
        // the engine's free lists stop growing, so the first reading has them at their size; 1,000 (the figure's
        // earlier warm-up) puts those, the bounded caches (1,024 entries) and more of the tables' growth in the measured
        // range. CI's few hundred keep the short one.
        int[] warmups = int.TryParse(Environment.GetEnvironmentVariable("IKEFAST_MEMORY_WARMUP"), out var w) ? [w] : count >= 5000 ? [5000, 1000] : [1000];
        foreach (var warmup in warmups)
        {
            var perSa = DaemonBytesPerSa(count, warmup);
            // The goal, 2 KiB (issue #7), is the bound at 5,000 SAs or more with either warm-up. Measured on 2026-11-27
            // (shared 2-core machine), medians of 3: 1,732 B (5,000 of warm-up) / 1,789 B (1,000) at 10,000 SAs, 1,706 /
            // 1,772 B at 16,000; before this round 2,023 / 2,334 B at 10,000 and 2,288 B at 16,000, which moved by ~300 B
            // with where the hash tables doubled. This round: tables grow by a quarter (TableGrowth) and list objects
            // through themselves (16-byte entries: SaByCookies, ChildSaBySpi), the Phase 1 exchange state pooled while idle
            // (Phase1Negotiation, -80 B), child key arrays in a pooled holder (ChildSaKeys, ChildSaInfo 176 -> 144 B),
            // message IDs inline, host selectors sharing the peer's IPAddress, no responder-index entry once idle, status
            // rows of 64 B with the install time on the pair. Per SA at 10,000 now: IkeSa 392, two ChildSaInfo 304 (with
            // the install time), two ChildLifecycle 272, the compact keys and identity bytes 180, Phase1Lifecycle 136,
            // the status row 64, the peer's address, endpoint, identity and selector 136 and the tables (~250). An SA that
            // kept its cipher (544 B), prepared keys, flight or Phase 1 exchange state again would break the bound.
            // At the CI's 300 the reading spreads with the machine's timing (1,623-1,652 B in 3 runs now, 1,856-2,749 B
            // before: how many exchanges overlap sets the pools' level, and 300 SAs are few to spread it over): a wider
            // bound there.
            Assert.InRange(perSa, 0, count >= 5000 ? 2048 : 3072);
        }
    }

    /// <summary>One daemon (fresh tables) after <paramref name="warmup"/> SAs: bytes per further SA, printed.</summary>
    private double DaemonBytesPerSa(int count, int warmup)
    {
        using var dir = new TempConfigDirectory();
        var options = new LoadTestOptions { Proposal = "aes128-sha256-x25519" };
        var json = EmbeddedResponder.ConfigurationJson(options);
        using var configuration = ConfigurationLoader.Load(dir.Write("r.json",
            json[..(json.IndexOf('{', StringComparison.Ordinal) + 1)] + """ "daemon": { "installer": "memory", "shards": 1 }, """ +
            json[(json.IndexOf('{', StringComparison.Ordinal) + 1)..]));
        var transport = new MemoryTransport(Daemon);
        using var installer = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        var registry = new SaRegistry(TimeProvider.System);
        var daemon = new IkeDaemon(configuration, transport, installer, registry, new DaemonOptions { MaxWait = TimeSpan.FromMilliseconds(20) },
            NullLogger<IkeDaemon>.Instance, endpointOptions: new EndpointOptions { MaxHalfOpenPerAddress = 1 << 20, MaxHalfOpen = 1 << 20, ReplyCacheMs = ReplyCacheMs });
        using var cancel = new CancellationTokenSource();
        var loop = new Thread(() => daemon.Run(cancel.Token)) { IsBackground = true };
        loop.Start();
        try
        {
            Establish(transport, 0, warmup, options);
            Assert.True(WaitFor(() => registry.IkeCount == warmup && registry.ChildCount == 2 * warmup));
            Thread.Sleep((int)ReplyCacheMs * 3);
            var before = RetainedBytes();
            Dump($"before-{warmup}");
            Establish(transport, warmup, warmup + count, options);
            Assert.True(WaitFor(() => registry.IkeCount == warmup + count && registry.ChildCount == 2 * (warmup + count)),
                $"{registry.IkeCount} IKE, {registry.ChildCount} IPsec SAs; " + string.Join(", ",
                    Enum.GetValues<DiagnosticCode>().Where(c => daemon.Counters[c] > 0).Select(c => $"{c}={daemon.Counters[c]}")));
            Thread.Sleep((int)ReplyCacheMs * 3);
            var after = RetainedBytes();
            Dump($"after-{warmup}");
            var perSa = (after - before) / (double)count;
            output.WriteLine($"{count} Phase 1 + {2 * count} Phase 2 SAs after {warmup:N0} of warm-up: {after - before:N0} bytes, {perSa:N0} bytes per Phase 1 with two Phase 2 SAs " +
                             $"(engine + registry + lifetimes + memory installer)");
            return perSa;
        }
        finally
        {
            cancel.Cancel();
            loop.Join();
        }
    }

    /// <summary>The engine alone (responder Endpoint, no host bookkeeping), same peers, same pump.</summary>
    [Fact]
    public void EngineBytesPerPhase1WithTwoPhase2Sas()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("IKEFAST_MEMORY_SAS"), out var n) ? n : 300;
        // At 5,000 SAs or more, 5,000 of warm-up: past the 4,096 entries at which the engine's bounded caches (peer
        // identities, interned selectors) are cleared, so their tables have their largest size before the first reading
        // and the figure is what each further SA costs (with 1,000 they grew inside the measured range: ~110 B per SA
        // at 10,000 that does not grow with more SAs). CI's few hundred keep the short warm-up; IKEFAST_MEMORY_WARMUP overrides.
        int Warmup = int.TryParse(Environment.GetEnvironmentVariable("IKEFAST_MEMORY_WARMUP"), out var w) ? w : count >= 5000 ? 5000 : 1000;
        using var dir = new TempConfigDirectory();
        var options = new LoadTestOptions { Proposal = "aes128-sha256-x25519" };
        using var configuration = ConfigurationLoader.Load(dir.Write("r.json", EmbeddedResponder.ConfigurationJson(options)));
        var spis = new RandomSpis();
        var responder = new Endpoint(configuration.Connections, configuration.Secrets, new ScalarDhEngine(), SystemEngineRandom.Instance, spis,
            new EndpointOptions { MaxHalfOpenPerAddress = 1 << 20, MaxHalfOpen = 1 << 20, ReplyCacheMs = ReplyCacheMs });
        var pending = new Queue<(byte[] Data, IPEndPoint Remote)>();
        var buffer = new byte[65536];
        long established = 0;
        long allocated = 0;
        void ToResponder(byte[] data, IPEndPoint from)
        {
            var start = GC.GetAllocatedBytesForCurrentThread();
            var now = Environment.TickCount64;
            responder.Handle(now, Daemon, from, data);
            while (responder.PollTransmit(buffer, out var t))
            {
                pending.Enqueue((buffer[..t.Length], t.Remote));
            }

            while (responder.PollEvent(out var e))
            {
                if (e.Kind == EngineEventKind.InstallChildSa)
                {
                    e.ChildSa?.ClearKeys();
                    established++;
                }
            }

            // Only the responder's work (the pump's own reply copies included, about 1 KiB per handshake).
            allocated += GC.GetAllocatedBytesForCurrentThread() - start;
        }

        (byte[] Data, IPEndPoint Remote)? FromResponder() => pending.TryDequeue(out var reply) ? reply : null;

        Establish(0, Warmup, options, ToResponder, FromResponder);
        Thread.Sleep((int)ReplyCacheMs * 3);
        // The first call retires finished Quick Modes and releases Phase 1 leftovers, the second recycles the retired.
        responder.HandleTimeout(Environment.TickCount64);
        responder.HandleTimeout(Environment.TickCount64);
        var before = RetainedBytes();
        allocated = 0;
        Establish(Warmup, Warmup + count, options, ToResponder, FromResponder);
        var allocatedPerHandshake = allocated / (double)count;
        Thread.Sleep((int)ReplyCacheMs * 3);
        // The first call retires finished Quick Modes and releases Phase 1 leftovers, the second recycles the retired.
        responder.HandleTimeout(Environment.TickCount64);
        responder.HandleTimeout(Environment.TickCount64);
        var after = RetainedBytes();
        Assert.Equal(2 * (Warmup + count), established);
        var perSa = (after - before) / (double)count;
        output.WriteLine($"engine only: {count} Phase 1 + {2 * count} Phase 2 SAs: {after - before:N0} bytes, {perSa:N0} bytes per Phase 1 with two Phase 2 SAs; " +
                         $"responder allocations {allocatedPerHandshake:N0} bytes per Main Mode + two Quick Modes");
        // Measured 1,147 / 1,147 / 1,146 B at 10,000 SAs after 5,000 of warm-up, 1,170 B at 16,000 (1,350 and 1,439 B
        // before this round; 2,025 B the round before with 1,000 of warm-up, 5,330 B before the first), 1,110 B at 300;
        // 1,642 B at 10,000 with 1,000 of warm-up (1,855 B before): this synchronous pump releases idle SAs' Phase 1
        // state only at the end, so the free lists (4,096 each) fill inside a range that starts below them. No lifetime
        // bookkeeping here (EndpointOptions.ManageLifetimes is off): the lifecycle records and their tables are in the
        // daemon figure only (see the daemon test above for the bytes and the bound's reasoning).
        Assert.InRange(perSa, 0, count >= 5000 ? 1920 : 2048);
        GC.KeepAlive(responder);
    }

    /// <summary>
    /// Managed heap after a full collection, the process-wide key buffer pool emptied first: the throw-away initiators
    /// take buffers from it and never give them back (they are dropped), so its level would otherwise fall by one
    /// 2 KiB buffer per initiator SA between the two readings and hide the responder's own growth.
    /// </summary>
    /// <summary>
    /// With IKEFAST_MEMORY_DUMP=DIR, a heap dump of this process at each reading (dotnet-dump from ~/.dotnet/tools:
    /// `dotnet-dump analyze DIR/after-5000.dmp -c "dumpheap -stat -live"`, diffed with the before dump, gives the bytes
    /// per SA by type).
    /// </summary>
    private static void Dump(string name)
    {
        if (Environment.GetEnvironmentVariable("IKEFAST_MEMORY_DUMP") is { Length: > 0 } dir)
        {
            using var p = System.Diagnostics.Process.Start(Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".dotnet/tools/dotnet-dump"),
                $"collect --type Heap -p {Environment.ProcessId} -o {dir}/{name}.dmp")!;
            p.WaitForExit();
        }
    }

    private static long RetainedBytes()
    {
        Ike.Fast.Crypto.SecretBufferPool.Trim();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed class RandomSpis : ISpiAllocator
    {
        private uint _next = 0x1000;

        public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote) => _next++;

        public void Release(IpsecProtocol protocol, uint spi)
        {
        }
    }

    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(5);
        }

        return true;
    }

    /// <summary>Peers first..last-1 (addresses 10.x.y.z), each a Main Mode and two Quick Modes, 50 at a time.</summary>
    private static void Establish(MemoryTransport transport, int first, int last, LoadTestOptions options) =>
        Establish(first, last, options, (data, from) => transport.Inbound.Add((data, from)),
            () => transport.Outbound.TryTake(out var reply, 20) ? reply : null);

    private static void Establish(int first, int last, LoadTestOptions options, Action<byte[], IPEndPoint> toResponder,
        Func<(byte[] Data, IPEndPoint Remote)?> fromResponder)
    {
        var proposals = ProposalParser.ParseIke(options.Proposal);
        var esp = ProposalParser.ParseEsp(options.Esp);
        ChildConfig[] children =
        [
            new() { Name = "c0", LocalTs = [TrafficSelector.Dynamic], RemoteTs = [TrafficSelector.Parse("10.0.0.0/16")], Proposals = esp },
            new() { Name = "c1", LocalTs = [TrafficSelector.Dynamic], RemoteTs = [TrafficSelector.Parse("10.1.0.0/16")], Proposals = esp },
        ];
        var buffer = new byte[65536];
        for (var start = first; start < last; start += 50)
        {
            var end = Math.Min(last, start + 50);
            var initiator = new Endpoint([], new InMemorySecretStore().AddPreSharedKey(options.PreSharedKey), new ScalarDhEngine(),
                SystemEngineRandom.Instance, new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance),
                new EndpointOptions { MaxQuickModesPerSa = 64 });
            for (var i = start; i < end; i++)
            {
                var address = new IPAddress([10, (byte)(100 + (i >> 16)), (byte)(i >> 8), (byte)i]);
                var connection = new PeerConfig
                {
                    Name = $"m{i}",
                    LocalAddress = address,
                    RemoteAddress = Daemon.Address,
                    RemotePort = Daemon.Port,
                    LocalAuth = new AuthConfig { Method = AuthMethod.Psk, Identity = IkeIdentity.FromAddress(address) },
                    RemoteAuth = new AuthConfig { Method = AuthMethod.Psk },
                    IkeProposals = proposals,
                    Children = children,
                };
                foreach (var child in children)
                {
                    initiator.Initiate(connection, child, Environment.TickCount64);
                }
            }

            var installed = 0;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (installed < 2 * (end - start) && DateTime.UtcNow < deadline)
            {
                var now = Environment.TickCount64;
                while (initiator.PollTransmit(buffer, out var t))
                {
                    toResponder(buffer[..t.Length], new IPEndPoint(t.Local.Address, 500));
                }

                while (initiator.PollEvent(out var e))
                {
                    if (e.Kind == EngineEventKind.InstallChildSa)
                    {
                        e.ChildSa?.ClearKeys();
                        installed++;
                    }
                }

                if (fromResponder() is { } reply)
                {
                    initiator.Handle(now, reply.Remote, Daemon, reply.Data);
                }
                else
                {
                    initiator.HandleTimeout(now);
                }
            }

            Assert.Equal(2 * (end - start), installed);
        }
    }

    /// <summary>The daemon's network as two queues (the test thread plays every initiator).</summary>
    private sealed class MemoryTransport(IPEndPoint local) : IDatagramTransport
    {
        public BlockingCollection<(byte[] Data, IPEndPoint Remote)> Inbound { get; } = [];

        public BlockingCollection<(byte[] Data, IPEndPoint Remote)> Outbound { get; } = [];

        public IReadOnlyList<IPEndPoint> LocalEndPoints { get; } = [local];

        public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedDatagram datagram)
        {
            if (Inbound.TryTake(out var item, timeout))
            {
                item.Data.CopyTo(buffer);
                datagram = new ReceivedDatagram(item.Data.Length, local, item.Remote);
                return true;
            }

            datagram = default;
            return false;
        }

        public IPEndPoint Send(ReadOnlySpan<byte> datagram, IPEndPoint from, IPEndPoint remote)
        {
            Outbound.Add((datagram.ToArray(), remote));
            return local;
        }

        public void Dispose()
        {
            Inbound.Dispose();
            Outbound.Dispose();
        }
    }
}
