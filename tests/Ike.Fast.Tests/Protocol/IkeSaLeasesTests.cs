using System.Net;
using Ike.Fast.Protocol;
using Ike.Fast.Protocol.Transaction;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// <see cref="IkeSa.Leases"/> is a read-only view that SAs without leases do not share anything through. It was a
/// shared empty <c>List</c>, and <c>List.Clear</c> on it (a version bump even when empty) made an engine on another
/// shard that was enumerating it throw "Collection was modified" (seen as a flaky NAT-T test under parallel tests).
/// </summary>
public class IkeSaLeasesTests
{
    [Fact]
    public void ClearingAnSaWithoutLeases_MakesNoStateAndLeavesItEmpty()
    {
        var sa = new IkeSa();

        sa.ClearLeases();

        Assert.True(sa.Leases.IsEmpty);
        Assert.False(sa.HasTransactionState);
    }

    [Fact]
    public void ALeaseBelongsToItsSaAlone_AndClearingForgetsIt()
    {
        var pool = new AddressPool("10.3.0.0/30");
        var leased = new IkeSa();
        var other = new IkeSa();
        Assert.True(pool.TryAllocate(out IPAddress? address));

        leased.AddLease(pool, address!);

        Assert.Equal(address, Assert.Single(leased.Leases.ToArray()).Address);
        Assert.True(other.Leases.IsEmpty);
        leased.ClearLeases();
        Assert.True(leased.Leases.IsEmpty);
    }
}
