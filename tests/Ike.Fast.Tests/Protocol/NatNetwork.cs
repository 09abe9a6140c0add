using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Two endpoints on a virtual clock with an optional NAT (address and port rewriting) in front of either: A sits at
/// <see cref="PrivateA"/> behind <see cref="PublicA"/> (ports mapped to <see cref="MappedPortBase"/>+), B at
/// <see cref="PrivateB"/> behind <see cref="PublicB"/> (a port forward keeping ports). Datagrams use the
/// addresses and ports each <see cref="Transmit"/> names; one-byte NAT keepalives are recorded, not delivered
/// (the host drops them before the engine).
/// </summary>
internal sealed class NatNetwork
{
    public static readonly IPAddress PrivateA = IPAddress.Parse("172.16.0.2");
    public static readonly IPAddress PublicA = IPAddress.Parse("198.51.100.7");
    public static readonly IPAddress PrivateB = IPAddress.Parse("172.17.0.2");
    public static readonly IPAddress PublicB = IPAddress.Parse("192.0.2.2");

    private readonly byte[] _buffer = new byte[65536];
    private readonly bool _natA;
    private readonly bool _natB;
    private readonly Dictionary<int, int> _outbound = [];
    private readonly Dictionary<int, int> _inbound = [];

    public NatNetwork(bool natA, bool natB, bool forceEncapA = false, EndpointOptions? options = null, IpsecMode mode = IpsecMode.Tunnel,
        ExchangeMode exchange = ExchangeMode.Main)
    {
        _natA = natA;
        _natB = natB;
        ConfigA = Config(AddressOfA, PublicB, "@a.example", "@b.example", forceEncapA, mode, exchange);
        ConfigB = Config(AddressOfB, null, "@b.example", "@a.example", false, mode, exchange);
        A = new Endpoint([ConfigA], Conversation.Secrets(), new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(1)), new DeterministicEngineRandom(11), new CountingSpiAllocator(0xa0000001), options);
        B = new Endpoint([ConfigB], Conversation.Secrets(), new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(2)), new DeterministicEngineRandom(22), new CountingSpiAllocator(0xb0000001), options);
    }

    /// <summary>Rewrites a datagram in flight (fromA, bytes) → bytes to deliver.</summary>
    public Func<bool, byte[], byte[]>? Filter { get; set; }

    /// <summary>Port the NAT in front of A gives the next new mapping.</summary>
    public int MappedPortBase { get; set; } = 31000;

    public IPAddress AddressOfA => _natA ? PrivateA : PublicA;

    public IPAddress AddressOfB => _natB ? PrivateB : PublicB;

    public PeerConfig ConfigA { get; }

    public PeerConfig ConfigB { get; }

    public Endpoint A { get; }

    public Endpoint B { get; }

    public long Now { get; set; }

    public List<EngineEvent> EventsA { get; } = [];

    public List<EngineEvent> EventsB { get; } = [];

    /// <summary>Every datagram as it left its sender: (fromA, sender's view, bytes).</summary>
    public List<(bool FromA, Transmit T, byte[] Bytes)> Wire { get; } = [];

    /// <summary>What the receiver saw: (toA, local, remote).</summary>
    public List<(bool ToA, IPEndPoint Local, IPEndPoint Remote)> Seen { get; } = [];

    /// <summary>Forgets every NAT mapping of A (the next datagram gets a new public port: a NAT rebinding).</summary>
    public void Rebind()
    {
        _outbound.Clear();
        _inbound.Clear();
        MappedPortBase += 1000;
    }

    public void Pump(int max = 1000)
    {
        for (int moved = 0; moved < max;)
        {
            bool any = false;
            while (A.PollTransmit(_buffer, out Transmit t))
            {
                DeliverFromA(t, _buffer.AsSpan(0, t.Length).ToArray());
                any = true;
                moved++;
            }

            while (B.PollTransmit(_buffer, out Transmit t))
            {
                DeliverFromB(t, _buffer.AsSpan(0, t.Length).ToArray());
                any = true;
                moved++;
            }

            Drain();
            if (!any)
            {
                return;
            }
        }
    }

    /// <summary>Advances the clock to <paramref name="until"/>, firing every deadline on the way and pumping.</summary>
    public void RunUntil(long until)
    {
        while (true)
        {
            Assert.Equal(A.ScanDeadline(), A.PollTimeout()); // the timer queue agrees with a scan
            Assert.Equal(B.ScanDeadline(), B.PollTimeout());
            long? next = Min(A.PollTimeout(), B.PollTimeout());
            if (next is null || next.Value > until)
            {
                Now = until;
                return;
            }

            Now = Math.Max(Now, next.Value);
            A.HandleTimeout(Now);
            B.HandleTimeout(Now);
            Pump();
        }
    }

    public void Drain()
    {
        while (A.PollEvent(out EngineEvent e))
        {
            EventsA.Add(e);
        }

        while (B.PollEvent(out EngineEvent e))
        {
            EventsB.Add(e);
        }
    }

    public List<EngineEvent> Of(bool a, EngineEventKind kind) => (a ? EventsA : EventsB).Where(e => e.Kind == kind).ToList();

    private void DeliverFromA(Transmit t, byte[] bytes)
    {
        bytes = Filter?.Invoke(true, bytes) ?? bytes;
        Wire.Add((true, t, bytes));
        IPEndPoint source = new(PublicA, t.Local.Port);
        if (_natA)
        {
            if (!_outbound.TryGetValue(t.Local.Port, out int mapped))
            {
                mapped = MappedPortBase + _outbound.Count;
                _outbound[t.Local.Port] = mapped;
                _inbound[mapped] = t.Local.Port;
            }

            source = new IPEndPoint(PublicA, mapped);
        }

        if (!t.Remote.Address.Equals(PublicB) || t.IsNatKeepalive)
        {
            return;
        }

        var local = new IPEndPoint(AddressOfB, t.Remote.Port);
        Seen.Add((false, local, source));
        B.Handle(Now, local, source, bytes);
    }

    private void DeliverFromB(Transmit t, byte[] bytes)
    {
        bytes = Filter?.Invoke(false, bytes) ?? bytes;
        Wire.Add((false, t, bytes));
        IPEndPoint source = new(PublicB, t.Local.Port);
        if (!t.Remote.Address.Equals(PublicA) || t.IsNatKeepalive)
        {
            return;
        }

        int port = t.Remote.Port;
        if (_natA && !_inbound.TryGetValue(port, out port))
        {
            return; // no mapping: the NAT drops it
        }

        var local = new IPEndPoint(AddressOfA, port);
        Seen.Add((true, local, source));
        A.Handle(Now, local, source, bytes);
    }

    private static PeerConfig Config(IPAddress local, IPAddress? remote, string localId, string remoteId, bool forceEncap, IpsecMode mode,
        ExchangeMode exchange)
    {
        bool sideA = remote is not null;
        return new PeerConfig
        {
            Name = "conn",
            LocalAddress = local,
            RemoteAddress = remote,
            ForceEncapsulation = forceEncap,
            Mode = exchange,
            AggressiveModePskResponder = exchange == ExchangeMode.Aggressive,
            IkeProposals = [.. ProposalParser.ParseIke("aes128-sha256-modp2048")],
            LocalAuth = new AuthConfig { Identity = IkeIdentity.Parse(localId) },
            RemoteAuth = new AuthConfig { Identity = IkeIdentity.Parse(remoteId) },
            Children = [new ChildConfigBuilder { Name = "child", Esp = "aes128-sha256", Mode = mode }.Build(sideA)],
        };
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
