using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Conversations on the virtual clock with Diffie-Hellman engines that defer every operation
/// (<see cref="AsyncDhDeferredEngine"/>): results come back later, in random order and in random batches, through
/// <see cref="Endpoint.DhCompletions"/> and <see cref="Endpoint.HandleDhCompletions"/>. Main and Aggressive Mode with
/// PSK and RSA, Quick Mode with PFS, both roles, with loss and retransmission while an exchange is parked: both sides
/// end with one SA each, equal keys crosswise, and exactly the DH work of a synchronous run.
/// </summary>
public class AsyncDhConversationTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string exchange in new[] { "main", "aggressive", "pfs", "pfs-modp", "rsa", "aggressive-rsa" })
        {
            for (int seed = 1; seed <= 4; seed++)
            {
                data.Add(exchange, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DeferredInRandomOrderAndBatches_BothSidesAgree(string exchange, int seed)
    {
        (Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b) = Create(exchange);
        var random = new Random(seed);
        Run(c, a, b, random);
        AssertEstablished(c, a, b, exchange, seed);
        Assert.True(a.Completed + b.Completed >= 4); // every operation really went through the deferred path
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void HeldWhileTimersFire_RetransmissionsAreDroppedOrAnswered_NoSecondDh(string exchange, int seed)
    {
        // Results are held back for several retransmission intervals at a time, so both sides' timers fire and
        // retransmitted requests reach exchanges that are parked on DH; each must cost nothing but a drop (or a repeat
        // of an answer already sent), and the next message that arrives early must wait and then be handled.
        (Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b) = Create(exchange);
        var random = new Random(seed);
        Run(c, a, b, random, holds: 1 + (seed % 2)); // at most 2 + 4 s of held DH: well inside the 30 s half-open limit
        AssertEstablished(c, a, b, exchange, seed);
    }

    public static TheoryData<string, int> EveryMessage()
    {
        var data = new TheoryData<string, int>();
        foreach ((string exchange, string[] messages) in LossAndReorderingTests.Exchanges)
        {
            for (int i = 0; i < messages.Length; i++)
            {
                data.Add(exchange, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryMessage))]
    public void LostOnceWhileDeferred_CompletesByRetransmission(string exchange, int lost)
    {
        (Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b) = Create(exchange);
        bool dropped = false;
        int sent = 0;
        c.Filter = (fromA, _, bytes) =>
        {
            int index = sent++; // Conversation's index restarts every Pump; these runs pump many times
            if (index == lost && !dropped)
            {
                dropped = true; // LossAndReorderingTests.Exchanges[exchange][lost] vanishes once
                return null;
            }

            return bytes;
        };
        Run(c, a, b, new Random(lost), holds: 1);
        Assert.True(dropped);
        AssertEstablished(c, a, b, exchange, lost);
    }

    [Fact]
    public void MainModeResponder_SendsMm4BeforeSharedSecret_EarlyMm5Waits()
    {
        // isakmpd's order: the responder's g^x is ready, so MM4 leaves while g^xy is still computing; the initiator's
        // MM5 arrives before g^xy and is kept, then handled when the keys exist.
        (Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b) = Create("main");
        var random = new Random(7);
        var buffer = new byte[65536];
        c.A.Initiate("conn", "child", 0);
        Deliver(c, true, Take(c.A, buffer)); /* MM1 HDR, SA --> */
        Deliver(c, false, Take(c.B, buffer)); /* <-- MM2 HDR, SA */
        Assert.False(c.A.PollTransmit(buffer, out _)); // A's key pair is pending: MM3 waits
        Assert.Equal(1, c.A.PendingDhCount);
        a.Complete(random);
        Assert.Equal(1, c.A.HandleDhCompletions(c.Now));
        Deliver(c, true, Take(c.A, buffer)); /* MM3 HDR, KE, Ni --> */
        Assert.False(c.B.PollTransmit(buffer, out _)); // B's key pair is pending
        b.Complete(random);
        c.B.HandleDhCompletions(c.Now);
        byte[] mm4 = Take(c.B, buffer); /* <-- MM4 HDR, KE, Nr: out before g^xy */
        Assert.Equal(1, b.Pending); // g^xy still computing
        Assert.Equal(1, c.B.PendingDhCount);
        Deliver(c, false, mm4);
        a.Complete(random);
        c.A.HandleDhCompletions(c.Now);
        byte[] mm5 = Take(c.A, buffer); /* MM5 HDR*, IDii, HASH_I --> arrives before g^xy */
        Deliver(c, true, mm5);
        Assert.False(c.B.PollTransmit(buffer, out _)); // kept, not answered, not dropped
        Deliver(c, true, mm5); // a retransmitted MM5 while the first one waits: dropped
        Assert.False(c.B.PollTransmit(buffer, out _));
        b.Complete(random);
        c.B.HandleDhCompletions(c.Now);
        Assert.True(c.B.PollTransmit(buffer, out Transmit mm6)); /* <-- MM6 HDR*, IDir, HASH_R */
        Deliver(c, false, buffer[..mm6.Length]);
        Run(c, a, b, random, initiate: false);
        AssertEstablished(c, a, b, "main", 0);
    }

    [Fact]
    public void RetransmittedMm3WhileKeyPairPending_IsDropped_OneDh()
    {
        (Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b) = Create("main");
        var random = new Random(3);
        var buffer = new byte[65536];
        c.A.Initiate("conn", "child", 0);
        Deliver(c, true, Take(c.A, buffer));
        Deliver(c, false, Take(c.B, buffer));
        a.Complete(random);
        c.A.HandleDhCompletions(c.Now);
        byte[] mm3 = Take(c.A, buffer);
        Deliver(c, true, mm3);
        Deliver(c, true, mm3); /* MM3 again while B's key pair is pending */
        Deliver(c, true, mm3);
        Assert.Equal(1, b.Pending);
        Assert.Equal(2, c.B.Counters[DiagnosticCode.Retransmission]);
        b.Complete(random);
        c.B.HandleDhCompletions(c.Now);
        byte[] mm4 = Take(c.B, buffer);
        Assert.False(c.B.PollTransmit(buffer, out _)); // once
        Deliver(c, false, mm4);
        Run(c, a, b, random, initiate: false);
        AssertEstablished(c, a, b, "main", 0);
    }

    [Fact]
    public void SaDeletedWhileDhPending_ResultIsDiscarded()
    {
        (Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b) = Create("main");
        var buffer = new byte[65536];
        c.A.Initiate("conn", "child", 0);
        Deliver(c, true, Take(c.A, buffer));
        Deliver(c, false, Take(c.B, buffer));
        Assert.Equal(1, c.A.PendingDhCount);
        c.Drain();
        foreach (IkeSaStatus s in c.A.GetSaStatus())
        {
            c.A.DeletePhase1(s.InitiatorCookie, s.ResponderCookie, c.Now);
        }

        Assert.Equal(0, c.A.Phase1SaCount);
        while (c.A.PollTransmit(buffer, out _))
        {
            // whatever the delete sent
        }

        a.Complete(new Random(1));
        Assert.Equal(1, c.A.HandleDhCompletions(c.Now));
        Assert.Equal(0, c.A.PendingDhCount);
        Assert.False(c.A.PollTransmit(buffer, out _)); // no MM3 for a dead SA
    }

    [Fact]
    public void DeferringEngineThatCompletesAtOnce_BehavesLikeTheSynchronousOne()
    {
        // A batched engine answers key pairs from its pool synchronously: Submit returning true must work everywhere.
        (Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b) = Create("pfs");
        a.Defer = false;
        b.Defer = false;
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        AssertEstablished(c, a, b, "pfs", 0);
        Assert.Equal(0, c.A.PendingDhCount + c.B.PendingDhCount);
    }

    private static (Conversation C, AsyncDhDeferredEngine A, AsyncDhDeferredEngine B) Create(string exchange)
    {
        var a = new AsyncDhDeferredEngine(new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(1)));
        var b = new AsyncDhDeferredEngine(new ScalarDhEngine(new Crypto.DiffieHellman.DeterministicDhRandomSource(2)));
        Conversation c = exchange switch
        {
            "main" => new(Conf(true, "aes128-sha256-ecp256"), Conf(false, "aes128-sha256-ecp256"), dhA: a, dhB: b),
            "aggressive" => new(Conf(true, "aes128-sha256-ecp256", mode: ExchangeMode.Aggressive),
                Conf(false, "aes128-sha256-ecp256", mode: ExchangeMode.Aggressive), dhA: a, dhB: b),
            "pfs" => new(Conf(true, "aes128-sha256-ecp256", "aes128-sha256-ecp256"), Conf(false, "aes128-sha256-ecp256", "aes128-sha256-ecp256"), dhA: a, dhB: b),
            "pfs-modp" => new(Conf(true, "aes128-sha256-modp2048", "aes128-sha256-modp2048"), Conf(false, "aes128-sha256-modp2048", "aes128-sha256-modp2048"), dhA: a, dhB: b),
            "rsa" => new(Rsa(true, ExchangeMode.Main), Rsa(false, ExchangeMode.Main), dhA: a, dhB: b),
            "aggressive-rsa" => new(Rsa(true, ExchangeMode.Aggressive), Rsa(false, ExchangeMode.Aggressive), dhA: a, dhB: b),
            _ => throw new ArgumentOutOfRangeException(nameof(exchange)),
        };
        return (c, a, b);
    }

    private static PeerConfig Conf(bool sideA, string ike, string esp = "aes128-sha256", ExchangeMode mode = ExchangeMode.Main) =>
        Conversation.Config(sideA ? Conversation.AddressA : Conversation.AddressB, sideA ? Conversation.AddressB : Conversation.AddressA,
            ike, esp, mode, aggressiveResponder: !sideA);

    private static PeerConfig Rsa(bool sideA, ExchangeMode mode)
    {
        X509Certificate2 cert = sideA ? TestPki.A : TestPki.B;
        return new PeerConfig
        {
            Name = "conn",
            LocalAddress = sideA ? Conversation.AddressA : Conversation.AddressB,
            RemoteAddress = sideA ? Conversation.AddressB : Conversation.AddressA,
            Mode = mode,
            IkeProposals = ProposalParser.ParseIke("aes128-sha256-modp2048"),
            LocalAuth = new AuthConfig { Method = AuthMethod.PubKey, Certificate = cert },
            RemoteAuth = new AuthConfig { Method = AuthMethod.PubKey, CaCertificates = [TestPki.Ca] },
            Children = [new ChildConfigBuilder { Esp = "aes128-sha256-modp2048" }.Build(sideA)],
        };
    }

    /// <summary>
    /// Moves datagrams and hands back a random batch (1 to 3) of DH results to each side every round. With
    /// <paramref name="holds"/> &gt; 0, up to that many times (at random rounds) the results are held while the clock
    /// jumps to the next retransmission deadline, so retransmissions reach exchanges parked on DH. Timers fire when
    /// nothing else moves.
    /// </summary>
    private static void Run(Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b, Random random, int holds = 0,
        bool initiate = true)
    {
        if (initiate)
        {
            c.A.Initiate("conn", "child", 0);
        }

        for (int round = 0; round < 400; round++)
        {
            int moved = c.Pump();
            int completed = 0;
            if (holds > 0 && a.Pending + b.Pending > 0 && NextDeadline(c) - c.Now < 60_000 && random.Next(2) == 0)
            {
                holds--;
                c.Tick(); // results held across a retransmission deadline
                continue;
            }

            completed += a.Complete(random, random.Next(1, 4));
            completed += b.Complete(random, random.Next(1, 4));
            c.A.HandleDhCompletions(c.Now);
            c.B.HandleDhCompletions(c.Now);
            c.Drain();
            if (Done(c) && a.Pending + b.Pending == 0 && c.A.PendingDhCount + c.B.PendingDhCount == 0)
            {
                c.Pump();
                return;
            }

            if (moved == 0 && completed == 0)
            {
                c.Tick();
            }
        }

        Assert.Fail($"no agreement: pending {a.Pending}/{b.Pending}, parked {c.A.PendingDhCount}/{c.B.PendingDhCount} A: {string.Join("; ", c.EventsA.Select(e => $"{e.Kind} {e.Diagnostic} {e.Message}"))} B: {string.Join("; ", c.EventsB.Select(e => $"{e.Kind} {e.Diagnostic} {e.Message}"))}");
    }

    /// <summary>Only retransmission deadlines are worth holding results across (not an SA lifetime hours away).</summary>
    private static long NextDeadline(Conversation c) => Math.Min(c.A.PollTimeout() ?? long.MaxValue, c.B.PollTimeout() ?? long.MaxValue);

    private static bool Done(Conversation c) =>
        c.Of(true, EngineEventKind.InstallChildSa).Count > 0 && c.Of(false, EngineEventKind.InstallChildSa).Count > 0 &&
        c.A.GetSaStatus().All(s => s.QuickModesInProgress == 0) && c.B.GetSaStatus().All(s => s.QuickModesInProgress == 0);

    private static byte[] Take(Endpoint e, byte[] buffer)
    {
        Assert.True(e.PollTransmit(buffer, out Transmit t));
        return buffer[..t.Length];
    }

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

    private static void AssertEstablished(Conversation c, AsyncDhDeferredEngine a, AsyncDhDeferredEngine b, string exchange, int seed)
    {
        c.Drain();
        string at = $"{exchange} #{seed}";
        Assert.True(c.Of(true, EngineEventKind.Phase1Up).Count == 1, at);
        Assert.True(c.Of(false, EngineEventKind.Phase1Up).Count == 1, at);
        Assert.True(c.Of(true, EngineEventKind.Phase1Down).Count == 0, at);
        Assert.True(c.Of(false, EngineEventKind.Phase1Down).Count == 0, at);
        ChildSaInfo x = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo y = Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        MainModeTests.AssertPair(x, y);
        Assert.Equal(x.InboundEncryptionKey, y.OutboundEncryptionKey);
        Assert.Equal(x.OutboundIntegrityKey, y.InboundIntegrityKey);
        Assert.Equal(0, a.Pending + b.Pending);
        Assert.Equal(0, c.A.PendingDhCount + c.B.PendingDhCount);

        // Exactly one key pair and one g^xy per DH an exchange needs (Phase 1, plus Quick Mode with PFS), per side.
        int perSide = exchange.StartsWith("pfs", StringComparison.Ordinal) || exchange.EndsWith("rsa", StringComparison.Ordinal) ? 2 : 1;
        Assert.True(c.DhA.KeyPairs == perSide && c.DhA.SharedSecrets == perSide, $"{at}: A did {c.DhA.KeyPairs}/{c.DhA.SharedSecrets}");
        Assert.True(c.DhB.KeyPairs == perSide && c.DhB.SharedSecrets == perSide, $"{at}: B did {c.DhB.KeyPairs}/{c.DhB.SharedSecrets}");
    }
}
