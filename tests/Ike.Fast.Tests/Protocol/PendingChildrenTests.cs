using System.Reflection;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Children requested before Phase 1 is up wait in a list the SA holds only until its Quick Modes start; the list then
/// goes back to the endpoint's pool for the next new SA (issue #8: two objects per initiator SA, kept for its life).
/// </summary>
public class PendingChildrenTests
{
    [Fact]
    public void PendingChildList_GoesBackToThePool_OnceTheQuickModeStarts_AndIsReused()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        Assert.True(c.A.Initiate("conn", "child", 0));
        Assert.Equal(0, PooledLists(c.A)); // the new SA holds it while Main Mode runs
        c.Pump();

        Assert.Equal(1, PooledLists(c.A));
        Assert.Equal("Established", Assert.Single(c.A.GetSaStatus()).State);
        Assert.Equal(1, c.A.Counters.ChildSasEstablished);

        // A second child on the established SA starts at once (no pending list); the pooled list stays pooled.
        Assert.True(c.A.Initiate("conn", "child", 10));
        c.Pump();
        Assert.Equal(2, c.A.Counters.ChildSasEstablished);
        Assert.Equal(1, PooledLists(c.A));
    }

    private static int PooledLists(Endpoint endpoint)
    {
        FieldInfo field = typeof(Endpoint).GetField("_pendingChildLists", BindingFlags.NonPublic | BindingFlags.Instance)!;
        return ((Stack<List<ChildConfig>>)field.GetValue(endpoint)!).Count;
    }
}
