using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// <see cref="SaByCookies"/>: SAs found by their cookie pair, and <see cref="IkeSa.ListedByCookies"/> kept exact by the
/// table (the endpoint's liveness check reads the flag instead of looking the SA up).
/// </summary>
public class SaByCookiesTests
{
    private static IkeSa Sa(ulong i, ulong r) => new() { InitiatorCookie = i, ResponderCookie = r };

    [Fact]
    public void Set_ListsTheSa_AndFlagsIt()
    {
        var table = new SaByCookies();
        IkeSa a = Sa(1, 2);
        Assert.False(a.ListedByCookies);
        table.Set(a);
        Assert.True(a.ListedByCookies);
        Assert.True(table.TryGetValue((1, 2), out IkeSa? found));
        Assert.Same(a, found);
        table.Set(a); // listing it again changes nothing
        Assert.Equal(1, table.Count);
        Assert.True(a.ListedByCookies);
    }

    [Fact]
    public void Set_ReplacesAnSaListedUnderTheSamePair_AndUnflagsIt()
    {
        var table = new SaByCookies();
        IkeSa old = Sa(1, 2);
        IkeSa replacement = Sa(1, 2);
        table.Set(old);
        table.Set(replacement);
        Assert.Equal(1, table.Count);
        Assert.False(old.ListedByCookies);
        Assert.True(replacement.ListedByCookies);
        Assert.True(table.TryGetValue((1, 2), out IkeSa? found));
        Assert.Same(replacement, found);
    }

    [Fact]
    public void Remove_BySa_UnlistsIt_AndAnUnlistedSaRemovesWhatIsListedUnderItsPair()
    {
        var table = new SaByCookies();
        IkeSa a = Sa(1, 2);
        IkeSa b = Sa(3, 4);
        table.Set(a);
        table.Set(b);
        Assert.True(table.Remove(a));
        Assert.False(a.ListedByCookies);
        Assert.False(table.ContainsKey((1, 2)));
        Assert.False(table.Remove(a));

        // The behaviour before the flag: removing by an SA's cookies removes whatever is listed under them.
        IkeSa twin = Sa(3, 4);
        Assert.True(table.Remove(twin));
        Assert.False(b.ListedByCookies);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Remove_ByCookies_UnflagsTheListedSa()
    {
        var table = new SaByCookies();
        IkeSa a = Sa(5, 6);
        table.Set(a);
        Assert.True(table.Remove((5, 6)));
        Assert.False(a.ListedByCookies);
        Assert.False(table.Remove((5, 6)));
    }
}
