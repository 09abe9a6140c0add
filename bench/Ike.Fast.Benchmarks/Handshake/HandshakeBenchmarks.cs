using System.Net;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Benchmarks.Handshake;

/// <summary>
/// A full Main Mode (PSK) + Quick Mode between two in-process endpoints, then a Delete of the ISAKMP SA so the
/// endpoints are reused; baseline: the four Diffie-Hellman operations of the same handshake alone (two key pairs,
/// two shared secrets), i.e. the cost floor the protocol engine adds to. The host side hands deleted children back
/// (<see cref="Endpoint.ReturnChildSa"/>), so after warm-up the engine's own allocation per handshake is 0 B and
/// the Allocated column shows what the DH engine allocates (key objects).
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private static readonly IPEndPoint EndpointA = new(IPAddress.Parse("192.0.2.1"), 500);
    private static readonly IPEndPoint EndpointB = new(IPAddress.Parse("192.0.2.2"), 500);
    private readonly byte[] _buffer = new byte[65536];
    private readonly byte[] _publicA = new byte[512];
    private readonly byte[] _publicB = new byte[512];
    private readonly byte[] _shared = new byte[512];
    private Endpoint _a = null!;
    private Endpoint _b = null!;
    private Endpoint _c = null!;
    private Endpoint _d = null!;
    private ScalarDhEngine _dh = null!;
    private long _now;

    [Params(DhGroupId.Modp2048, DhGroupId.Ecp256, DhGroupId.Curve25519)]
    public DhGroupId Group { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string ike = Group switch
        {
            DhGroupId.Modp2048 => "aes128-sha256-modp2048",
            DhGroupId.Ecp256 => "aes128-sha256-ecp256",
            _ => "aes128-sha256-curve25519",
        };
        _dh = new ScalarDhEngine();
        var secrets = new InMemorySecretStore().AddPreSharedKey("benchmark-psk-0123456789abcdef");
        _a = new Endpoint([Config(EndpointA.Address, EndpointB.Address, ike)], secrets, _dh, SystemEngineRandom.Instance, new Spis(0x1000));
        _b = new Endpoint([Config(EndpointB.Address, EndpointA.Address, ike)], secrets, _dh, SystemEngineRandom.Instance, new Spis(0x100000));
        if (Handshake() != 2)
        {
            throw new InvalidOperationException("handshake did not complete");
        }

        // A second pair whose ISAKMP SA stays up for QuickModeAndDelete.
        _c = new Endpoint([Config(EndpointA.Address, EndpointB.Address, ike)], secrets, _dh, SystemEngineRandom.Instance, new Spis(0x2000000));
        _d = new Endpoint([Config(EndpointB.Address, EndpointA.Address, ike)], secrets, _dh, SystemEngineRandom.Instance, new Spis(0x3000000));
        _c.Initiate("conn", null, _now);
        PumpPair(_c, _d);
        while (_c.PollEvent(out _) || _d.PollEvent(out _))
        {
        }

        if (QuickModeAndDelete() != 2)
        {
            throw new InvalidOperationException("quick mode did not complete");
        }
    }

    [Benchmark(Baseline = true)]
    public int DiffieHellmanOnly()
    {
        DhResult a = _dh.GenerateKeyPair(Group, _publicA);
        DhResult b = _dh.GenerateKeyPair(Group, _publicB);
        int n = _dh.ComputeSharedSecret(a.PrivateKey!, _publicB.AsSpan(0, b.BytesWritten), _shared).BytesWritten;
        n += _dh.ComputeSharedSecret(b.PrivateKey!, _publicA.AsSpan(0, a.BytesWritten), _shared).BytesWritten;
        return n;
    }

    /// <summary>MM1..MM6, QM1..QM3, then the Delete exchange; returns the number of IPsec SAs installed (2).</summary>
    [Benchmark]
    public int MainModeAndQuickMode()
    {
        return Handshake();
    }

    /// <summary>
    /// QM1..QM3 on an ISAKMP SA established once in the set-up (no DH: no PFS), then the IPsec SA
    /// pair is deleted again (protected Delete) and the timers run: the per-Quick-Mode cost of the protocol engine itself.
    /// </summary>
    [Benchmark]
    public int QuickModeAndDelete()
    {
        _now += 1;
        _c.Initiate("conn", "child", _now);
        PumpPair(_c, _d);
        uint spi = 0;
        int installed = 0;
        while (_c.PollEvent(out EngineEvent e))
        {
            if (e.Kind == EngineEventKind.InstallChildSa)
            {
                spi = e.ChildSa!.InboundSpi;
                installed++;
            }
        }

        while (_d.PollEvent(out EngineEvent e))
        {
            installed += e.Kind == EngineEventKind.InstallChildSa ? 1 : 0;
        }

        _c.DeleteChildSa(spi, _now);
        PumpPair(_c, _d);
        Drain(_c);
        Drain(_d);

        // Past the reply cache (30 s): the finished exchanges leave the SA and are reused by the next Quick Mode, as
        // on a long-lived ISAKMP SA that rekeys its children (without this the SA would keep every exchange, and
        // MaxQuickModesPerSa would refuse new ones).
        _now += 40_000;
        _c.HandleTimeout(_now);
        _d.HandleTimeout(_now);

        return installed;
    }

    private int Handshake()
    {
        _now += 1000;
        _a.Initiate("conn", "child", _now);
        Pump();
        int installed = 0;
        ulong icky = 0;
        ulong rcky = 0;
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
        Pump();
        Drain(_a);
        Drain(_b);

        return installed;
    }

    /// <summary>Consumes events as a host does: a deleted child goes back to its endpoint for reuse.</summary>
    private static void Drain(Endpoint endpoint)
    {
        while (endpoint.PollEvent(out EngineEvent e))
        {
            if (e.Kind == EngineEventKind.DeleteChildSa && e.ChildSa is { } child)
            {
                endpoint.ReturnChildSa(child);
            }
        }
    }

    private void Pump() => PumpPair(_a, _b);

    private void PumpPair(Endpoint a, Endpoint b)
    {
        bool any = true;
        while (any)
        {
            any = false;
            while (a.PollTransmit(_buffer, out Transmit t))
            {
                b.Handle(_now, EndpointB, EndpointA, _buffer.AsSpan(0, t.Length));
                any = true;
            }

            while (b.PollTransmit(_buffer, out Transmit t))
            {
                a.Handle(_now, EndpointA, EndpointB, _buffer.AsSpan(0, t.Length));
                any = true;
            }
        }
    }

    private static PeerConfig Config(IPAddress local, IPAddress remote, string ike) => new()
    {
        Name = "conn",
        LocalAddress = local,
        RemoteAddress = remote,
        IkeProposals = ProposalParser.ParseIke(ike),
        IkeLifetime = TimeSpan.FromDays(3650), // QuickModeAndDelete moves the clock 40 s per operation
        Children =
        [
            new ChildConfig
            {
                Name = "child",
                LocalTs = [TrafficSelector.Parse(local.Equals(EndpointA.Address) ? "10.1.0.0/16" : "10.2.0.0/16")],
                RemoteTs = [TrafficSelector.Parse(local.Equals(EndpointA.Address) ? "10.2.0.0/16" : "10.1.0.0/16")],
                Proposals = ProposalParser.ParseEsp("aes128-sha256"),
            },
        ],
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
