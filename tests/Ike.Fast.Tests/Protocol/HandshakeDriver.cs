using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Two endpoints driven the way a host drives them, without the allocations of <see cref="Conversation"/> (no copies
/// of datagrams, endpoints cached per port): every call into A or B is measured with
/// GC.GetAllocatedBytesForCurrentThread and charged to that side, minus what its DH engine allocated inside.
/// </summary>
internal sealed class HandshakeDriver
{
    private readonly byte[] _buffer = new byte[65536];
    private readonly IPEndPoint _a500 = new(Conversation.AddressA, 500);
    private readonly IPEndPoint _a4500 = new(Conversation.AddressA, 4500);
    private readonly IPEndPoint _b500 = new(Conversation.AddressB, 500);
    private readonly IPEndPoint _b4500 = new(Conversation.AddressB, 4500);

    public HandshakeDriver(PeerConfig configA, PeerConfig configB, EndpointOptions? options = null)
    {
        DhA = new MeasuringDhEngine(new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(1)));
        DhB = new MeasuringDhEngine(new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(2)));
        A = new Endpoint([configA], Conversation.Secrets(), DhA, new DeterministicEngineRandom(11), new CountingSpiAllocator(0xa0000001), options);
        B = new Endpoint([configB], Conversation.Secrets(), DhB, new DeterministicEngineRandom(22), new CountingSpiAllocator(0xb0000001), options);
    }

    public Endpoint A { get; }

    public Endpoint B { get; }

    public MeasuringDhEngine DhA { get; }

    public MeasuringDhEngine DhB { get; }

    public long Now { get; set; }

    /// <summary>Bytes A/B allocated outside their DH engines.</summary>
    public long AllocatedA { get; private set; }

    public long AllocatedB { get; private set; }

    /// <summary>Datagrams A/B received.</summary>
    public int ReceivedA { get; private set; }

    public int ReceivedB { get; private set; }

    public int Phase1UpA { get; private set; }

    public int InstalledA { get; private set; }

    public int InstalledB { get; private set; }

    public int DeletedChildrenB { get; private set; }

    public int Phase1DownB { get; private set; }

    public ulong LastInitiatorCookie { get; private set; }

    public ulong LastResponderCookie { get; private set; }

    public uint LastInboundSpiA { get; private set; }

    /// <summary>When set, B's allocation per received datagram (exchange type and first payload) is appended here.</summary>
    public List<string>? TraceB { get; set; }

    /// <summary>Stopwatch ticks B spent in Handle (DH included; for reports only).</summary>
    public long HandleTicksB { get; private set; }

    public void ResetMeasurements()
    {
        HandleTicksB = 0;
        AllocatedA = AllocatedB = 0;
        ReceivedA = ReceivedB = 0;
    }

    /// <summary>Runs <paramref name="action"/> as side A (true) or B, charging its allocations.</summary>
    public T Measure<T>(bool a, Func<Endpoint, T> action)
    {
        MeasuringDhEngine dh = a ? DhA : DhB;
        long dhBefore = dh.AllocatedBytes;
        long before = GC.GetAllocatedBytesForCurrentThread();
        T result = action(a ? A : B);
        long spent = GC.GetAllocatedBytesForCurrentThread() - before - (dh.AllocatedBytes - dhBefore);
        if (a)
        {
            AllocatedA += spent;
        }
        else
        {
            AllocatedB += spent;
        }

        return result;
    }

    /// <summary>Moves datagrams both ways until quiet, then drains events and fires due timers.</summary>
    public void Pump()
    {
        bool any = true;
        while (any)
        {
            any = Move(true) | Move(false);
        }

        Drain();
        Measure(true, e => e.PollTimeout()); // as a host does after each batch (drops stale timer entries)
        Measure(false, e => e.PollTimeout());
    }

    public void Advance(long ms)
    {
        Now += ms;
        long now = Now;
        Measure(true, e => { e.HandleTimeout(now); return e.PollTimeout(); });
        long b = AllocatedB;
        Measure(false, e => { e.HandleTimeout(now); return e.PollTimeout(); });
        TraceB?.Add($"B timers: {AllocatedB - b} B");
        Pump();
    }

    private bool Move(bool fromA)
    {
        bool any = false;
        Endpoint from = fromA ? A : B;
        while (true)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool got = from.PollTransmit(_buffer, out Transmit t);
            Charge(fromA, GC.GetAllocatedBytesForCurrentThread() - before);
            if (!got)
            {
                return any;
            }

            any = true;
            bool nat = t.Remote.Port == 4500;
            IPEndPoint local = fromA ? (nat ? _b4500 : _b500) : (nat ? _a4500 : _a500);
            IPEndPoint remote = fromA ? (nat ? _a4500 : _a500) : (nat ? _b4500 : _b500);
            MeasuringDhEngine dh = fromA ? DhB : DhA;
            long dhBefore = dh.AllocatedBytes;
            before = GC.GetAllocatedBytesForCurrentThread();
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            (fromA ? B : A).Handle(Now, local, remote, _buffer.AsSpan(0, t.Length));
            if (fromA)
            {
                HandleTicksB += System.Diagnostics.Stopwatch.GetTimestamp() - started;
            }
            long spent = GC.GetAllocatedBytesForCurrentThread() - before - (dh.AllocatedBytes - dhBefore);
            Charge(!fromA, spent);
            if (fromA && TraceB is not null)
            {
                TraceB.Add($"B <- type {_buffer[18]} np {_buffer[16]} len {t.Length}: {spent} B");
            }
            if (fromA)
            {
                ReceivedB++;
            }
            else
            {
                ReceivedA++;
            }
        }
    }

    private void Drain()
    {
        while (true)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool got = A.PollEvent(out EngineEvent e);
            if (got)
            {
                switch (e.Kind)
                {
                    case EngineEventKind.Phase1Up:
                        Phase1UpA++;
                        LastInitiatorCookie = e.InitiatorCookie;
                        LastResponderCookie = e.ResponderCookie;
                        break;
                    case EngineEventKind.InstallChildSa:
                        InstalledA++;
                        LastInboundSpiA = e.ChildSa!.InboundSpi;
                        break;
                    case EngineEventKind.DeleteChildSa:
                        A.ReturnChildSa(e.ChildSa!);
                        break;
                }
            }

            Charge(true, GC.GetAllocatedBytesForCurrentThread() - before);
            if (!got)
            {
                break;
            }
        }

        while (true)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool got = B.PollEvent(out EngineEvent e);
            if (got)
            {
                switch (e.Kind)
                {
                    case EngineEventKind.InstallChildSa:
                        InstalledB++;
                        break;
                    case EngineEventKind.DeleteChildSa:
                        DeletedChildrenB++;
                        B.ReturnChildSa(e.ChildSa!);
                        break;
                    case EngineEventKind.Phase1Down:
                        Phase1DownB++;
                        break;
                }
            }

            Charge(false, GC.GetAllocatedBytesForCurrentThread() - before);
            if (!got)
            {
                break;
            }
        }
    }

    private void Charge(bool a, long bytes)
    {
        if (a)
        {
            AllocatedA += bytes;
        }
        else
        {
            AllocatedB += bytes;
        }
    }
}
