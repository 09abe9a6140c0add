using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// SAs without leases share one empty list (<see cref="IkeSa.Leases"/>). Releasing an SA's leases must not write to it:
/// <c>List.Clear</c> bumps the list's version even when empty, so an engine on another thread (another shard)
/// enumerating the shared list threw "Collection was modified" (seen as a flaky NAT-T test under parallel tests).
/// </summary>
public class SharedEmptyLeasesTests
{
    [Fact]
    public void ClearingTheLeasesOfAnSaWithoutAny_LeavesTheSharedEmptyListUntouched()
    {
        var reader = new IkeSa();
        var other = new IkeSa();
        List<(Ike.Fast.Protocol.Transaction.AddressPool Pool, System.Net.IPAddress Address)>.Enumerator e = reader.Leases.GetEnumerator();

        other.ClearLeases();

        Assert.False(e.MoveNext()); // threw InvalidOperationException while the shared list was cleared
        Assert.Same(reader.Leases, other.Leases);
    }
}
