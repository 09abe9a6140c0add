using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Two in-process endpoints on a virtual clock: A (192.0.2.1, initiator by default) and B (192.0.2.2). Datagrams
/// are moved between them by <see cref="Pump"/>; a filter can drop, record or tamper with any of them.
/// </summary>
internal sealed class Conversation
{
    public static readonly IPAddress AddressA = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress AddressB = IPAddress.Parse("192.0.2.2");
    public const string Psk = "ikev1-harness-test-psk-0123456789";

    private readonly byte[] _buffer = new byte[65536];

    public Conversation(PeerConfig configA, PeerConfig configB, EndpointOptions? optionsA = null, EndpointOptions? optionsB = null,
        IDhEngine? dhA = null, IDhEngine? dhB = null, IEngineRandom? randomA = null, IEngineRandom? randomB = null)
    {
        ConfigA = configA;
        ConfigB = configB;
        DhA = new CountingDhEngine(dhA ?? new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(1)));
        DhB = new CountingDhEngine(dhB ?? new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(2)));
        A = new Endpoint([configA], Secrets(), DhA, randomA ?? new DeterministicEngineRandom(11), SpisA, optionsA);
        B = new Endpoint([configB], Secrets(), DhB, randomB ?? new DeterministicEngineRandom(22), SpisB, optionsB);
    }

    public PeerConfig ConfigA { get; }

    public PeerConfig ConfigB { get; }

    public Endpoint A { get; set; }

    public Endpoint B { get; }

    public CountingDhEngine DhA { get; }

    public CountingDhEngine DhB { get; }

    public CountingSpiAllocator SpisA { get; } = new(0xa0000001);

    public CountingSpiAllocator SpisB { get; } = new(0xb0000001);

    public long Now { get; set; }

    public List<EngineEvent> EventsA { get; } = [];

    public List<EngineEvent> EventsB { get; } = [];

    /// <summary>Every datagram delivered or dropped, in order: (fromA, bytes).</summary>
    public List<(bool FromA, byte[] Bytes)> Wire { get; } = [];

    /// <summary>Decides per datagram: return null to drop it, or the bytes to deliver (possibly modified).</summary>
    public Func<bool, int, byte[], byte[]?>? Filter { get; set; }

    public static InMemorySecretStore Secrets() => new InMemorySecretStore().AddPreSharedKey(Psk);

    public static PeerConfig Config(IPAddress local, IPAddress remote, string ike = "aes128-sha256-modp2048", string esp = "aes128-sha256",
        ExchangeMode mode = ExchangeMode.Main, Action<ChildConfigBuilder>? child = null, bool aggressiveResponder = false,
        string? localId = null, string? remoteId = null, params string[] extraChildren)
    {
        var builder = new ChildConfigBuilder { Name = "child", Esp = esp };
        child?.Invoke(builder);
        List<ChildConfig> children = [builder.Build(local == AddressA)];
        foreach (string name in extraChildren)
        {
            children.Add(new ChildConfigBuilder { Name = name, Esp = esp, LocalNet = ChildConfigBuilder.NetFor(name, local == AddressA), RemoteNet = ChildConfigBuilder.NetFor(name, local != AddressA) }.Build(local == AddressA));
        }

        return new PeerConfig
        {
            Name = "conn",
            LocalAddress = local,
            RemoteAddress = remote,
            Mode = mode,
            IkeProposals = [.. ike.Split(',').SelectMany(p => ProposalParser.ParseIke(p.Trim()))],
            AggressiveModePskResponder = aggressiveResponder,
            LocalAuth = new AuthConfig { Identity = localId is null ? null : IkeIdentity.Parse(localId) },
            RemoteAuth = new AuthConfig { Identity = remoteId is null ? null : IkeIdentity.Parse(remoteId) },
            Children = children,
        };
    }

    public static Conversation Create(string ike = "aes128-sha256-modp2048", string esp = "aes128-sha256", ExchangeMode mode = ExchangeMode.Main,
        bool aggressiveResponder = false, EndpointOptions? options = null, params string[] extraChildren) =>
        new(Config(AddressA, AddressB, ike, esp, mode, extraChildren: extraChildren),
            Config(AddressB, AddressA, ike, esp, mode, aggressiveResponder: aggressiveResponder, extraChildren: extraChildren), options, options);

    /// <summary>Moves datagrams both ways until neither side has anything to send.</summary>
    public int Pump(int maxDatagrams = 1000)
    {
        int moved = 0;
        int index = 0;
        while (moved < maxDatagrams)
        {
            bool any = false;
            while (A.PollTransmit(_buffer, out Transmit t))
            {
                Deliver(true, _buffer.AsSpan(0, t.Length).ToArray(), index++);
                any = true;
                moved++;
            }

            while (B.PollTransmit(_buffer, out Transmit t))
            {
                Deliver(false, _buffer.AsSpan(0, t.Length).ToArray(), index++);
                any = true;
                moved++;
            }

            Drain();
            if (!any)
            {
                break;
            }
        }

        return moved;
    }

    /// <summary>Advances the clock to the next deadline of either side and fires it.</summary>
    public bool Tick()
    {
        // The timer queue must agree with a scan of every SA (a missed reschedule would show here).
        Assert.Equal(A.ScanDeadline(), A.PollTimeout());
        Assert.Equal(B.ScanDeadline(), B.PollTimeout());
        long? next = Min(A.PollTimeout(), B.PollTimeout());
        if (next is null)
        {
            return false;
        }

        Now = Math.Max(Now, next.Value);
        A.HandleTimeout(Now);
        B.HandleTimeout(Now);
        Drain();
        return true;
    }

    /// <summary>Fires timers and pumps until nothing is pending (bounded: a stuck deadline fails the test).</summary>
    public void RunUntilQuiet(int maxTicks = 200)
    {
        for (int i = 0; i < maxTicks; i++)
        {
            if (!Tick())
            {
                return;
            }

            Pump();
        }

        Assert.Fail("timers never went quiet");
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

    private void Deliver(bool fromA, byte[] bytes, int index)
    {
        byte[]? delivered = Filter is null ? bytes : Filter(fromA, index, bytes);
        Wire.Add((fromA, bytes));
        if (delivered is null)
        {
            return;
        }

        if (fromA)
        {
            B.Handle(Now, new IPEndPoint(AddressB, 500), new IPEndPoint(AddressA, 500), delivered);
        }
        else
        {
            A.Handle(Now, new IPEndPoint(AddressA, 500), new IPEndPoint(AddressB, 500), delivered);
        }
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
