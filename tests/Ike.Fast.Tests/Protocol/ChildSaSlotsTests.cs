using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>The inline children of an ISAKMP SA behave like the list they replaced: order kept, removal shifts.</summary>
public sealed class ChildSaSlotsTests
{
    [Fact]
    public void AddRemoveKeepOrderAcrossTheInlineSlotsAndTheOverflowList()
    {
        var slots = default(ChildSaSlots);
        var children = Enumerable.Range(0, 5).Select(_ => new ChildSaInfo()).ToArray();
        var model = new List<ChildSaInfo>();
        Assert.Equal(0, slots.Count);
        foreach (ChildSaInfo c in children)
        {
            slots.Add(c);
            model.Add(c);
            AssertSame(model, ref slots);
        }

        foreach (int index in new[] { 1, 0, 2, 0, 0 })
        {
            slots.RemoveAt(index);
            model.RemoveAt(index);
            AssertSame(model, ref slots);
        }

        slots.Add(children[3]);
        slots.Add(children[4]);
        Assert.True(slots.Remove(children[3]));
        Assert.False(slots.Remove(children[0]));
        Assert.Same(children[4], Assert.Single(slots.ToArray()));
        slots.Clear();
        Assert.Equal(0, slots.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => slots[0]);
    }

    private static void AssertSame(List<ChildSaInfo> model, ref ChildSaSlots slots)
    {
        Assert.Equal(model.Count, slots.Count);
        var seen = new List<ChildSaInfo>();
        foreach (ChildSaInfo c in slots)
        {
            seen.Add(c);
        }

        Assert.Equal(model, seen);
        for (int i = 0; i < model.Count; i++)
        {
            Assert.Same(model[i], slots[i]);
            Assert.Equal(i, slots.IndexOf(model[i]));
        }
    }
}
