using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary><c>Initiate</c> finds the connection's existing Phase 1 SA through the per-connection index.</summary>
public class InitiateLookupTests
{
    [Fact]
    public void SecondInitiate_ReusesThePhase1Sa_AfterDeletionANewOneStarts()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", extraChildren: "second");
        c.A.Initiate("conn", "child", 0);
        c.A.Initiate("conn", "second", 0); // queued on the half-open SA: no second Phase 1
        Assert.Equal(1, c.A.Phase1SaCount);
        c.Pump();
        Assert.Equal(2, c.Of(false, EngineEventKind.InstallChildSa).Count);
        c.A.Initiate("conn", "child", 0); // established: Quick Mode only
        c.Pump();
        Assert.Equal(1, c.A.Phase1SaCount);
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Equal(3, c.Of(true, EngineEventKind.InstallChildSa).Count);

        IkeSaStatus sa = Assert.Single(c.A.GetSaStatus());
        Assert.True(c.A.DeletePhase1(sa.InitiatorCookie, sa.ResponderCookie, c.Now));
        c.Pump();
        Assert.Equal(0, c.A.Phase1SaCount);
        c.A.Initiate("conn", "child", c.Now); // the index entry went with the SA: a new Phase 1
        Assert.Equal(1, c.A.Phase1SaCount);
        c.Pump();
        Assert.Equal(2, c.Of(true, EngineEventKind.Phase1Up).Count);
    }
}
