using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary><see cref="ChildLifecycleHeads"/>: chain heads found by the key of their pair, without storing it.</summary>
public class ChildLifecycleHeadsTests
{
    private static ChildLifecycle Record(string child, string remote) => new()
    {
        Sa = new ChildSaInfo
        {
            Connection = "rw",
            Child = child,
            Protocol = IpsecProtocol.Esp,
            LocalTs = TrafficSelector.Parse("10.0.0.0/16"),
            RemoteTs = TrafficSelector.Parse(remote),
        },
    };

    [Fact]
    public void FindsTheHeadByKey_ReplacesAndRemovesIt()
    {
        var heads = new ChildLifecycleHeads();
        ChildLifecycle a = Record("c0", "192.0.2.1/32");
        ChildLifecycle b = Record("c0", "192.0.2.1/32"); // same key (a rekeyed pair)
        ChildLifecycle other = Record("c1", "192.0.2.1/32");
        heads.Add(a);
        heads.Add(other);
        Assert.Equal(2, heads.Count);

        Assert.True(heads.TryGetValue(ChildSaKey.Of(b.Sa), out ChildLifecycle? found));
        Assert.Same(a, found);
        Assert.True(heads.TryGetValue(ChildSaKey.Of(other.Sa), out found));
        Assert.Same(other, found);
        Assert.False(heads.TryGetValue(ChildSaKey.Of(Record("c0", "192.0.2.2/32").Sa), out _));

        heads.Replace(a, b);
        Assert.True(heads.TryGetValue(ChildSaKey.Of(a.Sa), out found));
        Assert.Same(b, found);
        heads.Remove(b);
        Assert.False(heads.TryGetValue(ChildSaKey.Of(a.Sa), out _));
        Assert.Equal(1, heads.Count);
    }
}
