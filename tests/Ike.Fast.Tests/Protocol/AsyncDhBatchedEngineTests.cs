using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Native.Ecc;
using Ike.Native.ModExp;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Two endpoints on the real <see cref="BatchedDhEngine"/> (worker thread, flush deadline, pools, IFMA lanes where the
/// CPU has them, NSec / .NET otherwise): results arrive on the worker thread, are posted to
/// <see cref="Endpoint.DhCompletions"/> and resumed on the test thread. Main Mode (and Aggressive Mode) with Quick Mode
/// and PFS for MODP-2048, P-256 and X25519: both sides agree on every key.
/// </summary>
public class AsyncDhBatchedEngineTests
{
    [Theory]
    [InlineData("aes128-sha256-modp2048", ExchangeMode.Main)]
    [InlineData("aes128-sha256-ecp256", ExchangeMode.Main)]
    [InlineData("aes128-sha256-curve25519", ExchangeMode.Main)]
    [InlineData("aes128-sha256-curve25519", ExchangeMode.Aggressive)]
    [InlineData("aes128-sha256-modp2048", ExchangeMode.Aggressive)]
    [InlineData("aes128-sha256-ecp256", ExchangeMode.Aggressive)]
    public void BatchedOnBothSides_WithPfs_KeysAgree(string ike, ExchangeMode mode)
    {
        string esp = ike; // the same group for PFS
        using BatchedDhEngine a = Engine();
        using BatchedDhEngine b = Engine();
        var c = new Conversation(
            Conversation.Config(Conversation.AddressA, Conversation.AddressB, ike, esp, mode),
            Conversation.Config(Conversation.AddressB, Conversation.AddressA, ike, esp, mode, aggressiveResponder: true),
            dhA: a, dhB: b);
        c.A.Initiate("conn", "child", 0);
        var patience = System.Diagnostics.Stopwatch.StartNew();
        while (c.Of(true, EngineEventKind.InstallChildSa).Count == 0 || c.Of(false, EngineEventKind.InstallChildSa).Count == 0 ||
            c.A.PendingDhCount + c.B.PendingDhCount > 0)
        {
            c.Pump();
            if (c.A.HandleDhCompletions(c.Now) + c.B.HandleDhCompletions(c.Now) == 0)
            {
                Assert.True(patience.Elapsed < TimeSpan.FromSeconds(30), $"stuck: {c.A.PendingDhCount}/{c.B.PendingDhCount} pending");
                Thread.Sleep(1); // the worker runs the batch after its flush deadline
            }

            c.Drain();
        }

        c.Pump();
        MainModeTests.AssertPair(Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!,
            Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!);
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        bool curvesBatched = IfmaX25519.IsSupported && IfmaP256.IsSupported;
        if (ike.EndsWith("modp2048", StringComparison.Ordinal) || curvesBatched)
        {
            Assert.True(a.BatchedRequests + b.BatchedRequests >= 3, $"{a.BatchedRequests} + {b.BatchedRequests} batched");
        }
    }

    private static BatchedDhEngine Engine() => new(SystemDhRandomSource.Instance,
        batchOptions: new ModExpBatchOptions { NativeFactory = IfmaModExpKernelFactory.Instance, EcdhFactory = IfmaEcdhKernelFactory.Instance },
        pooledGroups: [DhGroupId.Modp2048], poolCapacity: 8);
}
