using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Table-driven loss, duplication and reordering of every message of Main Mode + Quick Mode, Aggressive Mode +
/// Quick Mode and Quick Mode with PFS. Each case must end with both sides holding one Phase 1 SA and one IPsec SA
/// pair whose keys agree crosswise, with exactly the Diffie-Hellman work of a clean run (a retransmission is
/// answered from the cache, never recomputed) and a bounded number of datagrams (no retransmission storm).
/// </summary>
public class LossAndReorderingTests
{
    /// <summary>The exchanges, message by message (index into the wire order of a clean run).</summary>
    public static readonly Dictionary<string, string[]> Exchanges = new()
    {
        ["main"] =
        [
            "MM1 HDR, SA -->",
            "<-- MM2 HDR, SA",
            "MM3 HDR, KE, Ni -->",
            "<-- MM4 HDR, KE, Nr",
            "MM5 HDR*, IDii, HASH_I -->",
            "<-- MM6 HDR*, IDir, HASH_R",
            "QM1 HDR*, HASH(1), SA, Ni, IDci, IDcr -->",
            "<-- QM2 HDR*, HASH(2), SA, Nr, IDci, IDcr",
            "QM3 HDR*, HASH(3) -->",
        ],
        ["aggressive"] =
        [
            "AM1 HDR, SA, KE, Ni, IDii -->",
            "<-- AM2 HDR, SA, KE, Nr, IDir, HASH_R",
            "AM3 HDR*, HASH_I -->",
            "QM1 HDR*, HASH(1), SA, Ni, IDci, IDcr -->",
            "<-- QM2 HDR*, HASH(2), SA, Nr, IDci, IDcr",
            "QM3 HDR*, HASH(3) -->",
        ],
        ["pfs"] =
        [
            "MM1 HDR, SA -->",
            "<-- MM2 HDR, SA",
            "MM3 HDR, KE, Ni -->",
            "<-- MM4 HDR, KE, Nr",
            "MM5 HDR*, IDii, HASH_I -->",
            "<-- MM6 HDR*, IDir, HASH_R",
            "QM1 HDR*, HASH(1), SA, Ni, KE, IDci, IDcr -->",
            "<-- QM2 HDR*, HASH(2), SA, Nr, KE, IDci, IDcr",
            "QM3 HDR*, HASH(3) -->",
        ],
    };

    public static TheoryData<string, int> EveryMessage()
    {
        var data = new TheoryData<string, int>();
        foreach ((string exchange, string[] messages) in Exchanges)
        {
            for (int i = 0; i < messages.Length; i++)
            {
                data.Add(exchange, i);
            }
        }

        return data;
    }

    [Fact]
    public void CleanRuns_MatchTheMessageTables()
    {
        foreach ((string exchange, string[] messages) in Exchanges)
        {
            Conversation c = Create(exchange);
            c.A.Initiate("conn", "child", 0);
            c.Pump();
            Assert.Equal(messages.Length, c.Wire.Count);
            for (int i = 0; i < messages.Length; i++)
            {
                Assert.Equal(messages[i].EndsWith("-->", StringComparison.Ordinal), c.Wire[i].FromA);
            }

            AssertEstablished(c, BaselineOf(exchange), exchange, -1);
        }
    }

    [Theory]
    [MemberData(nameof(EveryMessage))]
    public void LostOnce_CompletesByRetransmission(string exchange, int lost)
    {
        Conversation c = Create(exchange);
        bool dropped = false;
        c.Filter = (fromA, index, bytes) =>
        {
            if (index == lost && !dropped)
            {
                dropped = true; // Exchanges[exchange][lost] vanishes once; its retransmission (or the peer's) repairs it
                return null;
            }

            return bytes;
        };
        Run(c);
        Assert.True(dropped);
        Baseline b = BaselineOf(exchange);
        AssertEstablished(c, b, exchange, lost);
        // Both Phase 1 sides retransmit (RFC 2408 §5), so one loss can cost the lost message, the peer's own
        // retransmission of its previous flight and the answers to each: a handful of datagrams, never a cascade.
        Assert.True(c.A.Counters.Sent + c.B.Counters.Sent <= b.Sent + 4, $"{exchange} #{lost}: {c.A.Counters.Sent + c.B.Counters.Sent} datagrams");
    }

    [Theory]
    [MemberData(nameof(EveryMessage))]
    public void Duplicated_IsAbsorbed_NoStorm(string exchange, int duplicated)
    {
        Conversation c = Create(exchange);
        c.Filter = (fromA, index, bytes) =>
        {
            if (index == duplicated)
            {
                // Exchanges[exchange][duplicated] arrives twice (the network duplicated it).
                Deliver(c, fromA, bytes);
            }

            return bytes;
        };
        Run(c);
        Baseline b = BaselineOf(exchange);
        AssertEstablished(c, b, exchange, duplicated);
        // A duplicate may be answered once, and that answer once more by a side whose last flight ends the exchange (AM3, QM3: neither can tell a duplicate from a retransmission); nothing cascades further.
        Assert.True(c.A.Counters.Sent + c.B.Counters.Sent <= b.Sent + 2, $"{exchange} #{duplicated}: {c.A.Counters.Sent + c.B.Counters.Sent} datagrams");
        Assert.True(c.A.Counters[DiagnosticCode.Retransmission] + c.B.Counters[DiagnosticCode.Retransmission] <= 3);
    }

    [Theory]
    [MemberData(nameof(EveryMessage))]
    public void LateCopy_AfterALaterMessage_IsDropped_EstablishedSasUntouched(string exchange, int late)
    {
        // Message i is lost on its first flight and kept; the exchange goes on by retransmission; the kept copy then
        // arrives after the next different message of the same sender (e.g. a retransmitted MM3 after MM5, or an old
        // QM1 after QM3), or at the very end when the sender has nothing later.
        Conversation c = Create(exchange);
        byte[]? held = null;
        bool heldFromA = false;
        bool released = false;
        c.Filter = (fromA, index, bytes) =>
        {
            if (index == late && held is null)
            {
                held = bytes;
                heldFromA = fromA;
                return null;
            }

            if (held is not null && !released && fromA == heldFromA && !bytes.AsSpan().SequenceEqual(held))
            {
                released = true;
                Deliver(c, fromA, bytes); // the later message first ...
                Deliver(c, fromA, held); // ... then the stale copy
                return null;
            }

            return bytes;
        };
        Run(c);
        if (!released)
        {
            released = true;
            Deliver(c, heldFromA, held!);
            c.Pump();
        }

        Baseline b = BaselineOf(exchange);
        AssertEstablished(c, b, exchange, late);
        // The loss (as above) plus at most one answer to the stale copy.
        Assert.True(c.A.Counters.Sent + c.B.Counters.Sent <= b.Sent + 5, $"{exchange} #{late}: {c.A.Counters.Sent + c.B.Counters.Sent} datagrams");
    }

    [Fact]
    public void WholeConversationReplayedInReverse_LeavesTheSasAlone()
    {
        // A clean run, then the whole recorded conversation is replayed to both sides in reverse order: every message
        // is stale (a replay) and must be dropped or answered from a cache without touching the established SAs.
        Conversation c = Create("pfs");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        var recorded = c.Wire.ToList();
        Baseline b = BaselineOf("pfs");
        for (int i = recorded.Count - 1; i >= 0; i--)
        {
            /* Exchanges["pfs"][i], replayed late */
            Deliver(c, recorded[i].FromA, recorded[i].Bytes);
        }

        c.Pump();
        AssertEstablished(c, b, "pfs", -2);
    }

    [Theory]
    [InlineData("aes128-sha256")]
    [InlineData("aes128-sha256-ecp256")]
    public void ParallelQuickModes_SameDirectionMessagesSwapped_AllComplete(string esp)
    {
        // Two Quick Modes in flight on one Phase 1 SA: every batch of same-direction messages is delivered in reverse
        // (QM1b before QM1a, QM2b before QM2a, QM3b before QM3a); each exchange has its own M-ID and IV chain.
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", esp: esp, extraChildren: ["second", "third"]);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        c.A.Initiate("conn", "second", 0);
        c.A.Initiate("conn", "third", 0);
        var buffer = new byte[65536];
        for (int round = 0; round < 10; round++)
        {
            var fromA = new List<byte[]>();
            while (c.A.PollTransmit(buffer, out Transmit t))
            {
                fromA.Add(buffer[..t.Length]);
            }

            fromA.Reverse();
            foreach (byte[] m in fromA)
            {
                Deliver(c, true, m); /* QMn(b) HDR* ... --> before QMn(a) */
            }

            var fromB = new List<byte[]>();
            while (c.B.PollTransmit(buffer, out Transmit t))
            {
                fromB.Add(buffer[..t.Length]);
            }

            fromB.Reverse();
            foreach (byte[] m in fromB)
            {
                Deliver(c, false, m); /* <-- QM2(b) HDR* ... before QM2(a) */
            }

            if (fromA.Count == 0 && fromB.Count == 0)
            {
                break;
            }
        }

        c.Drain();
        List<ChildSaInfo> a = [.. c.Of(true, EngineEventKind.InstallChildSa).Select(e => e.ChildSa!)];
        List<ChildSaInfo> b = [.. c.Of(false, EngineEventKind.InstallChildSa).Select(e => e.ChildSa!)];
        Assert.Equal(3, a.Count);
        Assert.Equal(3, b.Count);
        foreach (ChildSaInfo x in a)
        {
            ChildSaInfo y = Assert.Single(b, r => r.OutboundSpi == x.InboundSpi);
            Assert.Equal(x.Child, y.Child);
            Assert.Equal(x.InboundEncryptionKey, y.OutboundEncryptionKey);
            Assert.Equal(x.OutboundEncryptionKey, y.InboundEncryptionKey);
            Assert.Equal(x.InboundIntegrityKey, y.OutboundIntegrityKey);
            Assert.Equal(x.OutboundIntegrityKey, y.InboundIntegrityKey);
        }

        Assert.Empty(c.Of(true, EngineEventKind.DeleteChildSa));
        Assert.Empty(c.Of(false, EngineEventKind.DeleteChildSa));
        Assert.Equal(0, c.A.Counters[DiagnosticCode.Retransmission] + c.B.Counters[DiagnosticCode.Retransmission]);
    }

    [Fact]
    public void DuplicatedMm2_InitiatorAwaitingMm4_LeavesTheResendToItsTimer()
    {
        // Regression: the initiator answered the copy with MM3 again, the responder the second MM3 with MM4 again, and
        // so on: one duplicated datagram doubled every later message of the exchange.
        Conversation c = Create("main");
        var buffer = new byte[65536];
        c.A.Initiate("conn", "child", 0);
        Assert.True(c.A.PollTransmit(buffer, out Transmit t));
        Deliver(c, true, buffer[..t.Length]); /* MM1 HDR, SA --> */
        Assert.True(c.B.PollTransmit(buffer, out t));
        byte[] mm2 = buffer[..t.Length];
        Deliver(c, false, mm2); /* <-- MM2 HDR, SA */
        Deliver(c, false, mm2); /* <-- MM2 HDR, SA (network duplicate) */
        Assert.True(c.A.PollTransmit(buffer, out _)); // MM3 once
        Assert.False(c.A.PollTransmit(buffer, out _));
        Assert.Equal(1, c.A.Counters[DiagnosticCode.Retransmission]);
        Assert.Equal(4000, c.A.PollTimeout()); // the MM3 retransmission timer still runs
    }

    private static Conversation Create(string exchange) => exchange switch
    {
        "main" => Conversation.Create(ike: "aes128-sha256-ecp256"),
        "aggressive" => Conversation.Create(ike: "aes128-sha256-ecp256", mode: ExchangeMode.Aggressive, aggressiveResponder: true),
        "pfs" => Conversation.Create(ike: "aes128-sha256-ecp256", esp: "aes128-sha256-ecp256"),
        _ => throw new ArgumentOutOfRangeException(nameof(exchange)),
    };

    private sealed record Baseline(int KeyPairsA, int SharedA, int KeyPairsB, int SharedB, long Sent);

    private static readonly Dictionary<string, Baseline> Baselines = [];

    private static Baseline BaselineOf(string exchange)
    {
        lock (Baselines)
        {
            if (!Baselines.TryGetValue(exchange, out Baseline? b))
            {
                Conversation c = Create(exchange);
                c.A.Initiate("conn", "child", 0);
                c.Pump();
                b = new Baseline(c.DhA.KeyPairs, c.DhA.SharedSecrets, c.DhB.KeyPairs, c.DhB.SharedSecrets, c.A.Counters.Sent + c.B.Counters.Sent);
                Baselines[exchange] = b;
            }

            return b;
        }
    }

    /// <summary>Starts the exchange and fires retransmission timers until both sides installed the IPsec SA.</summary>
    private static void Run(Conversation c)
    {
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        for (int tick = 0; tick < 20 && !(Installed(c, true) && Installed(c, false) && Settled(c)); tick++)
        {
            c.Tick();
            c.Pump();
        }

        c.Pump();
    }

    private static bool Installed(Conversation c, bool a) => c.Of(a, EngineEventKind.InstallChildSa).Count > 0;

    // The responder's last flight is no longer awaiting a reply once the initiator's final message arrived; after a
    // lost final message the responder must still see its retransmission answered before the case is judged.
    private static bool Settled(Conversation c) =>
        c.A.GetSaStatus().All(s => s.QuickModesInProgress == 0) && c.B.GetSaStatus().All(s => s.QuickModesInProgress == 0);

    private static void Deliver(Conversation c, bool fromA, byte[] bytes)
    {
        if (fromA)
        {
            c.B.Handle(c.Now, new IPEndPoint(Conversation.AddressB, 500), new IPEndPoint(Conversation.AddressA, 500), bytes);
        }
        else
        {
            c.A.Handle(c.Now, new IPEndPoint(Conversation.AddressA, 500), new IPEndPoint(Conversation.AddressB, 500), bytes);
        }
    }

    private static void AssertEstablished(Conversation c, Baseline b, string exchange, int index)
    {
        c.Drain();
        string at = $"{exchange} #{index}";
        Assert.True(c.Of(true, EngineEventKind.Phase1Up).Count == 1, at);
        Assert.True(c.Of(false, EngineEventKind.Phase1Up).Count == 1, at);
        Assert.True(c.Of(true, EngineEventKind.Phase1Down).Count == 0, at);
        Assert.True(c.Of(false, EngineEventKind.Phase1Down).Count == 0, at);
        Assert.True(c.Of(true, EngineEventKind.DeleteChildSa).Count == 0, at);
        Assert.True(c.Of(false, EngineEventKind.DeleteChildSa).Count == 0, at);
        ChildSaInfo a = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo r = Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.Equal(a.InboundSpi, r.OutboundSpi);
        Assert.Equal(a.OutboundSpi, r.InboundSpi);
        Assert.Equal(a.InboundEncryptionKey, r.OutboundEncryptionKey);
        Assert.Equal(a.OutboundEncryptionKey, r.InboundEncryptionKey);
        Assert.Equal(a.InboundIntegrityKey, r.OutboundIntegrityKey);
        Assert.Equal(a.OutboundIntegrityKey, r.InboundIntegrityKey);
        Assert.Equal(1, c.A.Phase1SaCount);
        Assert.Equal(1, c.B.Phase1SaCount);
        // No second Diffie-Hellman anywhere: a retransmission is answered from the cache.
        Assert.True(b.KeyPairsA == c.DhA.KeyPairs && b.SharedA == c.DhA.SharedSecrets, $"{at}: A did {c.DhA.KeyPairs}/{c.DhA.SharedSecrets} DH ops");
        Assert.True(b.KeyPairsB == c.DhB.KeyPairs && b.SharedB == c.DhB.SharedSecrets, $"{at}: B did {c.DhB.KeyPairs}/{c.DhB.SharedSecrets} DH ops");
    }
}
