using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

public class AggressiveModeTests
{
    [Fact]
    public void AggressiveModePsk_ResponderOffByDefault_SilentDrop()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", mode: ExchangeMode.Aggressive);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Single(c.Wire);
        Assert.Equal(1, c.B.Counters[DiagnosticCode.AggressiveModeRefused]);
        Assert.Equal(0, c.B.Phase1SaCount);
    }

    [Theory]
    [InlineData("aes128-sha256-modp2048")]
    [InlineData("aes128-sha256-ecp256")]
    public void AggressiveModePsk_BothRoles_WhenAllowed(string ike)
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, ike, mode: ExchangeMode.Aggressive,
            localId: "@a.ikev1.test", remoteId: "@b.ikev1.test");
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, ike, mode: ExchangeMode.Aggressive,
            aggressiveResponder: true, localId: "@b.ikev1.test", remoteId: "@a.ikev1.test");
        var c = new Conversation(a, b);
        c.A.Initiate("conn", "child", 0);
        /* AM1 HDR, SA, KE, Ni, IDii --> */
        /* <-- AM2 HDR, SA, KE, Nr, IDir, HASH_R */
        /* AM3 HDR*, HASH_I --> */
        /* QM1, QM2, QM3 */
        c.Pump();
        Assert.Equal(6, c.Wire.Count);
        Assert.Equal("b.ikev1.test", Assert.Single(c.Of(true, EngineEventKind.Phase1Up)).RemoteIdentity!.ToString());
        Assert.Equal("a.ikev1.test", Assert.Single(c.Of(false, EngineEventKind.Phase1Up)).RemoteIdentity!.ToString());
        MainModeTests.AssertPair(Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!);
    }
}
