using System.Net;
using System.Net.Sockets;
using System.Buffers.Binary;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Sharding;
using Ike.Fast.Protocol;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ike.Fast.Tests.Host.Admission;

/// <summary>
/// A first-packet flood on loopback (no root): a responder with two shards and tight admission limits has three
/// established IkeFast initiators that rekey their IPsec SAs every two seconds and probe with DPD every second, while
/// a bounded burst of valid Main Mode first messages arrives from 200 sockets on 40 /24 prefixes of 127.0.0.0/8, each
/// with a fresh cookie. The established peers must keep rekeying and DPD must keep answering during the flood; half-open
/// state stays bounded; every flood datagram is accounted for (admitted or refused by reason).
/// </summary>
public sealed class FloodTests(ITestOutputHelper output)
{
    private const int Initiators = 3;
    private const int MaxHalfOpen = 60;

    [Fact]
    public async Task EstablishedPeersKeepRekeyingAndDpdAnswersDuringAFirstPacketFlood()
    {
        using var dir = new TempConfigDirectory();
        var b = new IPEndPoint(IPAddress.Parse("127.0.0.2"), HostTestConfig.FreeUdpPort(IPAddress.Parse("127.0.0.2")));
        var initiators = Enumerable.Range(0, Initiators)
            .Select(i => IPAddress.Parse(i == 0 ? "127.0.0.1" : $"127.0.0.{i + 2}"))
            .Select(address => new IPEndPoint(address, HostTestConfig.FreeUdpPort(address)))
            .ToList();

        using var bConfig = ConfigurationLoader.Load(dir.Write("b.json", ResponderJson(b, initiators)));
        var bInstaller = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        using var bHost = IkeFastHost.Build(bConfig, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders(),
            services => services.AddSingleton(bInstaller));
        var aConfigs = initiators.Select((a, i) => ConfigurationLoader.Load(dir.Write($"a{i}.json", InitiatorJson(a, b, i)))).ToList();
        var aHosts = aConfigs.Select(c => IkeFastHost.Build(c, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders(),
            services => services.AddSingleton(new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance)))).ToList();
        await bHost.StartAsync();
        foreach (var host in aHosts)
        {
            await host.StartAsync();
        }

        try
        {
            var responder = bHost.Services.GetRequiredService<IkeDaemonService>().Sharded!;
            var bRegistry = bHost.Services.GetRequiredService<SaRegistry>();
            var aDaemons = aHosts.Select(h => h.Services.GetRequiredService<IkeDaemonService>().Daemon!).ToList();
            var aRegistries = aHosts.Select(h => h.Services.GetRequiredService<SaRegistry>()).ToList();
            Assert.True(await LoopbackPair.WaitUntil(() => bRegistry.IkeCount == Initiators && bRegistry.ChildCount >= Initiators));
            var ikeBefore = aRegistries.Select(r => r.Snapshot().Ike.Single().InitiatorCookie).ToList();
            var childrenBefore = aDaemons.Select(d => d.Counters.ChildSasEstablished).ToList();
            var sentBefore = aDaemons.Select(d => d.Counters.Sent).ToList();

            // The flood: valid MM1s (the engine's own first message to b) with a fresh initiator cookie each.
            var mm1 = MainModeFirstMessage(aConfigs[0]);
            var sources = new List<Socket>();
            for (var prefix = 1; prefix <= 40; prefix++)
            {
                for (var host = 1; host <= 5; host++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.{prefix}.{host}"), 0));
                    sources.Add(socket);
                }
            }

            var maxHalfOpen = 0;
            var random = new Random(11);
            var flood = mm1.ToArray();
            const int Burst = 6000;
            var start = DateTime.UtcNow;
            for (var i = 0; i < Burst; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(flood, (ulong)random.NextInt64(1, long.MaxValue));
                sources[i % sources.Count].SendTo(flood, b);
                if (i % 100 == 99)
                {
                    // About 1,000 first packets a second for six seconds: three rekey periods, six DPD intervals.
                    maxHalfOpen = Math.Max(maxHalfOpen, responder.Admission!.HalfOpen);
                    var due = start + TimeSpan.FromMilliseconds(i + 1);
                    if (due > DateTime.UtcNow)
                    {
                        await Task.Delay(due - DateTime.UtcNow);
                    }
                }
            }

            var admission = responder.Admission!;
            // Accounted for: admitted, refused by reason, or (on a loaded machine, when the shard threads are not scheduled)
            // dropped by the kernel because the socket's receive queue was full, read from /proc/net/udp.
            var kernelDropped = 0L;
            Assert.True(await LoopbackPair.WaitUntil(() =>
            {
                kernelDropped = KernelDrops(b.Port);
                return admission.Admitted + admission.RefusedTotal + admission.Existing + kernelDropped >= Burst * 0.9;
            }), $"admitted {admission.Admitted}, refused {admission.RefusedTotal}, existing {admission.Existing}, kernel drops {kernelDropped}");

            // Established peers kept rekeying (a new IPsec SA every 2 s) and kept their Phase 1 (DPD answered: a dead-peer
            // verdict would have taken it down).
            for (var i = 0; i < Initiators; i++)
            {
                Assert.True(aDaemons[i].Counters.ChildSasEstablished - childrenBefore[i] >= 2,
                    $"initiator {i}: {aDaemons[i].Counters.ChildSasEstablished - childrenBefore[i]} rekeys during the flood");
                Assert.Equal(0, aDaemons[i].Counters[DiagnosticCode.DeadPeer]);
                Assert.Equal(ikeBefore[i], aRegistries[i].Snapshot().Ike.Single().InitiatorCookie);
                Assert.True(aDaemons[i].Counters.Sent - sentBefore[i] > 6, "DPD probes and rekeys were sent");
            }

            Assert.Equal(Initiators, bRegistry.IkeCount);
            output.WriteLine($"flood {Burst}: admitted {admission.Admitted}, refused {admission.RefusedTotal} (rate {admission.Refused(Ike.Fast.Host.Admission.RefusalReason.Rate)}, " +
                             $"half-open {admission.Refused(Ike.Fast.Host.Admission.RefusalReason.HalfOpen)}, prefix {admission.Refused(Ike.Fast.Host.Admission.RefusalReason.PrefixHalfOpen)}, " +
                             $"backlog {admission.Refused(Ike.Fast.Host.Admission.RefusalReason.Backlog)}), existing {admission.Existing}, max half-open {maxHalfOpen}; " +
                             $"rekeys per initiator: {string.Join(", ", aDaemons.Select((d, i) => d.Counters.ChildSasEstablished - childrenBefore[i]))}; " +
                             $"datagrams sent per initiator: {string.Join(", ", aDaemons.Select((d, i) => d.Counters.Sent - sentBefore[i]))}; " +
                             $"b per shard received: {string.Join(", ", responder.Shards.Select(s => s.Counters.Received))}; kernel drops {kernelDropped}");

            // New peers were admitted only within the bounds, and refused cheaply otherwise.
            Assert.InRange(maxHalfOpen, 1, MaxHalfOpen);
            Assert.InRange(admission.HalfOpen, 0, MaxHalfOpen);
            Assert.True(admission.RefusedTotal > (Burst - kernelDropped) / 2, $"{admission.RefusedTotal} refused, {kernelDropped} dropped by the kernel");
            Assert.True(admission.Refused(Ike.Fast.Host.Admission.RefusalReason.Rate) > 0);
            Assert.InRange(admission.Admitted, 1, 50 + (100 * 10)); // burst + rate x duration (generously)
            sources.ForEach(s => s.Dispose());
        }
        finally
        {
            foreach (var host in aHosts)
            {
                await host.StopAsync();
                host.Dispose();
            }

            await bHost.StopAsync();
            aConfigs.ForEach(c => c.Dispose());
        }
    }

    /// <summary>The engine's own MM1 for an initiator configuration (a valid first message: SA payload with its offers).</summary>
    /// <summary>
    /// Datagrams the kernel dropped on the UDP sockets bound to <paramref name="port"/> (all reuseport shards): the last
    /// column of /proc/net/udp, whose local port is the hex after the colon of the second column.
    /// </summary>
    private static long KernelDrops(int port)
    {
        var suffix = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        long drops = 0;
        foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 12 && fields[1].EndsWith(suffix, StringComparison.Ordinal))
            {
                drops += long.Parse(fields[^1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return drops;
    }

    private static byte[] MainModeFirstMessage(IkeFastConfiguration configuration)
    {
        using var spis = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        var endpoint = new Endpoint(configuration.Connections, configuration.Secrets, ConfiguredDhEngine.Create(configuration),
            SystemEngineRandom.Instance, spis);
        Assert.True(endpoint.Initiate(configuration.Connections[0].Name, null, 0));
        var buffer = new byte[4096];
        Assert.True(endpoint.PollTransmit(buffer, out var transmit));
        return buffer[..transmit.Length];
    }

    private const string Psk = """ "secrets": { "ike-flood": { "secret": "ikefast-flood-test-psk" } } """;

    private static string ResponderJson(IPEndPoint b, List<IPEndPoint> initiators)
    {
        var connections = string.Join(",", initiators.Select((a, i) => $$"""
            "a{{i}}": {
              "local_addrs": "{{b.Address}}", "remote_addrs": "{{a.Address}}", "remote_port": {{a.Port}},
              "proposals": "aes128-sha256-modp2048",
              "local": { "auth": "psk" }, "remote": { "auth": "psk" },
              "children": { "net": { "local_ts": "203.0.113.0/24", "remote_ts": "198.51.100.{{i + 1}}/32", "esp_proposals": "aes128-sha256" } }
            }
            """));
        return $$"""
            {
              "daemon": {
                "listen": [ "{{b}}" ], "control_socket": "{{TestSocketPath.Create()}}", "installer": "memory", "shards": 2,
                "admission": { "rate": 100, "burst": 50, "max_half_open": {{MaxHalfOpen}}, "half_open_per_prefix": 10, "half_open_timeout": "30s" }
              },
              "connections": { {{connections}} },
              {{Psk}}
            }
            """;
    }

    private static string InitiatorJson(IPEndPoint a, IPEndPoint b, int index) => $$"""
        {
          "daemon": { "listen": [ "{{a}}" ], "control_socket": "{{TestSocketPath.Create()}}", "installer": "memory", "shards": 1 },
          "connections": {
            "flood": {
              "local_addrs": "{{a.Address}}", "remote_addrs": "{{b.Address}}", "remote_port": {{b.Port}},
              "proposals": "aes128-sha256-modp2048",
              "local": { "auth": "psk" }, "remote": { "auth": "psk" },
              "dpd_delay": "1s", "dpd_timeout": "3s",
              "children": { "net": { "local_ts": "198.51.100.{{index + 1}}/32", "remote_ts": "203.0.113.0/24",
                                     "esp_proposals": "aes128-sha256", "start_action": "start",
                                     "rekey_time": "2s", "life_time": "6s" } }
            }
          },
          {{Psk}}
        }
        """;
}
