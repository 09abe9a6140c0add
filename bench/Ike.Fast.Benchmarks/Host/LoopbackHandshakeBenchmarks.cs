using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Benchmarks.Host;

/// <summary>
/// The Host layer end to end over loopback UDP: the real daemon (<see cref="IkeFastHost"/>, the same host
/// <c>ikefast serve</c> builds, memory SA installer, logging at Warning) on 127.0.0.1, driven by an in-process initiator
/// <see cref="Endpoint"/> over a real socket through Main Mode PSK (MM1..MM6) + one Quick Mode (QM1..QM3), then the
/// Informational Delete of the ISAKMP SA. One handshake at a time, so the figure is the handshake's latency on an
/// idle responder (both sides' CPU, four socket round trips, the daemon loop's wake-ups); allocations are the whole
/// process's (BenchmarkDotNet counts every thread), daemon included.
/// <para>
/// Baseline: the same handshake and delete between two in-process endpoints with no sockets (what the protocol and
/// crypto cost), so the ratio is what the host adds: UDP system calls, thread hand-offs, the daemon's event dispatch.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class LoopbackHandshakeBenchmarks
{
    private const string Psk = "benchmark-psk-0123456789abcdef";
    private static readonly IPEndPoint InProcessA = new(IPAddress.Parse("192.0.2.1"), 500);
    private static readonly IPEndPoint InProcessB = new(IPAddress.Parse("192.0.2.2"), 500);
    private readonly byte[] _buffer = new byte[65536];
    private readonly byte[] _receive = new byte[65536];
    private string _directory = "";
    private IkeFastConfiguration? _configuration;
    private IHost? _daemon;
    private Socket? _socket;
    private IPEndPoint _daemonEndPoint = null!;
    private IPEndPoint _local = null!;
    private Endpoint _initiator = null!;
    private Endpoint _a = null!;
    private Endpoint _b = null!;
    private long _now;

    [Params(DhGroupId.Modp2048, DhGroupId.Ecp256, DhGroupId.Curve25519)]
    public DhGroupId Group { get; set; }

    private string IkeProposal => Group switch
    {
        DhGroupId.Modp2048 => "aes128-sha256-modp2048",
        DhGroupId.Ecp256 => "aes128-sha256-ecp256",
        _ => "aes128-sha256-curve25519",
    };

    [GlobalSetup]
    public void Setup()
    {
        // The daemon: configured through the loader from a file, like `ikefast serve --config`.
        _directory = Directory.CreateTempSubdirectory("ikefast-bench-host-").FullName;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _daemonEndPoint = (IPEndPoint)probe.LocalEndPoint!;
        }

        string path = Path.Combine(_directory, "daemon.json");
        File.WriteAllText(path, $$"""
            {
              "daemon": { "listen": [ "{{_daemonEndPoint}}" ], "control_socket": "{{Path.Combine(_directory, "ctl.sock")}}",
                          "installer": "memory", "log_level": "warning" },
              "connections": {
                "bench": {
                  "local_addrs": "127.0.0.1", "remote_addrs": "%any", "proposals": "{{IkeProposal}}",
                  "local": { "auth": "psk" }, "remote": { "auth": "psk" },
                  "children": { "net": { "local_ts": "10.0.0.0/8", "remote_ts": "dynamic", "esp_proposals": "aes128-sha256" } }
                }
              },
              "secrets": { "ike-bench": { "secret": "{{Psk}}" } }
            }
            """);
        _configuration = ConfigurationLoader.Load(path);
        var installer = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        _daemon = IkeFastHost.Build(_configuration, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders(),
            services => services.AddSingleton(installer));
        _daemon.StartAsync().GetAwaiter().GetResult();

        // The initiator: one engine and one socket on 127.0.0.1.
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _local = (IPEndPoint)_socket.LocalEndPoint!;
        var secrets = new InMemorySecretStore().AddPreSharedKey(Psk);
        var initiatorConfig = InitiatorConfig(IPAddress.Loopback, _daemonEndPoint);
        _initiator = new Endpoint([initiatorConfig], secrets, new ScalarDhEngine(), SystemEngineRandom.Instance, new Spis(0x1000));

        // The baseline pair.
        var a = InitiatorConfig(InProcessA.Address, InProcessB);
        var b = new PeerConfig
        {
            Name = "conn",
            LocalAddress = InProcessB.Address,
            RemoteAddress = InProcessA.Address,
            IkeProposals = ProposalParser.ParseIke(IkeProposal),
            Children = [new ChildConfig
            {
                Name = "child",
                LocalTs = [TrafficSelector.Parse("10.0.0.0/8")],
                RemoteTs = [TrafficSelector.Dynamic],
                Proposals = ProposalParser.ParseEsp("aes128-sha256"),
            }],
        };
        _a = new Endpoint([a], secrets, new ScalarDhEngine(), SystemEngineRandom.Instance, new Spis(0x2000000));
        _b = new Endpoint([b], secrets, new ScalarDhEngine(), SystemEngineRandom.Instance, new Spis(0x3000000));

        if (InProcess() != 2 || LoopbackUdp() != 1)
        {
            throw new InvalidOperationException("the handshake did not complete");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _socket?.Dispose();
        _daemon?.StopAsync().GetAwaiter().GetResult();
        _daemon?.Dispose();
        _configuration?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Both endpoints in this thread, datagrams handed over in memory; returns the IPsec SAs installed (2).</summary>
    [Benchmark(Baseline = true)]
    public int InProcess()
    {
        _now += 1000;
        _a.Initiate("conn", "child", _now);
        PumpInProcess();
        int installed = 0;
        ulong icky = 0, rcky = 0;
        while (_a.PollEvent(out EngineEvent e))
        {
            installed += e.Kind == EngineEventKind.InstallChildSa ? 1 : 0;
            if (e.Kind == EngineEventKind.Phase1Up)
            {
                (icky, rcky) = (e.InitiatorCookie, e.ResponderCookie);
            }
        }

        while (_b.PollEvent(out EngineEvent e))
        {
            installed += e.Kind == EngineEventKind.InstallChildSa ? 1 : 0;
        }

        _a.DeletePhase1(icky, rcky, _now);
        PumpInProcess();
        while (_a.PollEvent(out _) || _b.PollEvent(out _))
        {
        }

        // The timer pass a daemon's loop makes (IkeDaemon does after every wake-up): without it deleted SAs are never
        // purged and every further handshake gets slower (measured: 1.9 -> 3.1 ms/op over BenchmarkDotNet's pilot).
        _a.HandleTimeout(_now);
        _b.HandleTimeout(_now);
        return installed;
    }

    /// <summary>The initiator here, the daemon on its own thread behind 127.0.0.1; returns the initiator's IPsec SAs (1).</summary>
    [Benchmark]
    public int LoopbackUdp()
    {
        _now += 1000;
        _initiator.Initiate("conn", "child", _now);
        bool phase1 = false;
        int installed = 0;
        ulong icky = 0, rcky = 0;
        while (!(phase1 && installed == 1))
        {
            SendQueued();
            int n = _socket!.Receive(_receive); // throws after ReceiveTimeout: a stuck handshake fails the benchmark
            _initiator.Handle(_now, _local, _daemonEndPoint, _receive.AsSpan(0, n));
            while (_initiator.PollEvent(out EngineEvent e))
            {
                if (e.Kind == EngineEventKind.Phase1Up)
                {
                    phase1 = true;
                    (icky, rcky) = (e.InitiatorCookie, e.ResponderCookie);
                }

                installed += e.Kind == EngineEventKind.InstallChildSa ? 1 : 0;
            }
        }

        // QM3 (the initiator's last message) and the Delete leave now; the daemon handles them off this thread.
        _initiator.DeletePhase1(icky, rcky, _now);
        SendQueued();
        while (_initiator.PollEvent(out _))
        {
        }

        _initiator.HandleTimeout(_now);

        return installed;
    }

    private void SendQueued()
    {
        while (_initiator.PollTransmit(_buffer, out Transmit t))
        {
            _socket!.SendTo(_buffer.AsSpan(0, t.Length), SocketFlags.None, _daemonEndPoint);
        }
    }

    private void PumpInProcess()
    {
        bool any = true;
        while (any)
        {
            any = false;
            while (_a.PollTransmit(_buffer, out Transmit t))
            {
                _b.Handle(_now, InProcessB, InProcessA, _buffer.AsSpan(0, t.Length));
                any = true;
            }

            while (_b.PollTransmit(_buffer, out Transmit t))
            {
                _a.Handle(_now, InProcessA, InProcessB, _buffer.AsSpan(0, t.Length));
                any = true;
            }
        }
    }

    /// <summary>A synthetic road-warrior-like initiator (as the load tester's peers): its own address as ID, 10.0.0.0/16 wanted.</summary>
    private PeerConfig InitiatorConfig(IPAddress local, IPEndPoint remote) => new()
    {
        Name = "conn",
        LocalAddress = local,
        RemoteAddress = remote.Address,
        RemotePort = remote.Port,
        IkeProposals = ProposalParser.ParseIke(IkeProposal),
        Children = [new ChildConfig
        {
            Name = "child",
            LocalTs = [TrafficSelector.Dynamic],
            RemoteTs = [TrafficSelector.Parse("10.0.0.0/16")],
            Proposals = ProposalParser.ParseEsp("aes128-sha256"),
        }],
    };

    private sealed class Spis(uint first) : ISpiAllocator
    {
        private uint _next = first;

        public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote) => _next++;

        public void Release(IpsecProtocol protocol, uint spi)
        {
        }
    }
}
