using Ike.Fast.Host.Control;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Host.Control;

/// <summary><see cref="ChildSaBySpi"/>: IPsec SAs by inbound SPI; <c>Set</c> adds, or replaces the pair listed under the same SPI.</summary>
public class ChildSaBySpiTests
{
    private static ChildSaInfo Pair(uint spi) => new() { Connection = "c", Child = "c", InboundSpi = spi };

    [Fact]
    public void Set_AddsNewSpis_AndReplacesThePairUnderATakenOne()
    {
        var table = new ChildSaBySpi();
        ChildSaInfo a = Pair(1);
        ChildSaInfo b = Pair(2);
        table.Set(a);
        table.Set(b);
        Assert.Equal(2, table.Count);

        ChildSaInfo replacement = Pair(1);
        table.Set(replacement);
        Assert.Equal(2, table.Count);
        Assert.True(table.TryGetValue(1, out ChildSaInfo? found));
        Assert.Same(replacement, found);

        table.Set(replacement); // listing it again changes nothing
        Assert.Equal(2, table.Count);
        Assert.True(table.Remove(1));
        Assert.False(table.Contains(1));
        Assert.True(table.Contains(2));
    }
}
