using System.Diagnostics.CodeAnalysis;

namespace Ike.Fast.Protocol;

/// <summary>
/// The first record of each <see cref="ChildSaKey"/>'s chain (the rest hang off <see cref="ChildLifecycle.NextSameKey"/>),
/// as a set of records whose key is computed from the pair they describe (<see cref="ChildSaKey.Of"/>) rather than
/// stored: a dictionary entry with the 40-byte key cost 56 B per slot, about 90 B per IPsec SA at the table's usual fill
/// (issue #7); a set entry is 16 B. A lookup by key goes through one probe record whose key is set for the call. The key
/// of a stored record must not change while it is in the set: a pair's connection, child, protocol and selectors are
/// fixed once it is installed, and the record leaves the set (<see cref="Remove"/>) before it is reset.
/// </summary>
internal sealed class ChildLifecycleHeads : IEqualityComparer<ChildLifecycle>
{
    private readonly HashSet<ChildLifecycle> _heads;
    private readonly ChildLifecycle _probe = new();
    private ChildSaKey _probeKey;

    public ChildLifecycleHeads() => _heads = new HashSet<ChildLifecycle>(this);

    /// <summary>Chains (distinct keys) held.</summary>
    public int Count => _heads.Count;

    /// <summary>The first record of <paramref name="key"/>'s chain.</summary>
    public bool TryGetValue(in ChildSaKey key, [MaybeNullWhen(false)] out ChildLifecycle head)
    {
        _probeKey = key;
        bool found = _heads.TryGetValue(_probe, out head);
        _probeKey = default;
        return found;
    }

    /// <summary>Adds the first record of a key that has none.</summary>
    public void Add(ChildLifecycle head)
    {
        TableGrowth.BeforeAdd(_heads);
        _heads.Add(head);
    }

    /// <summary>Removes a key's first record (its pair still set: the key is computed from it).</summary>
    public void Remove(ChildLifecycle head) => _heads.Remove(head);

    /// <summary>Makes <paramref name="next"/> (same key) the first record instead of <paramref name="head"/>.</summary>
    public void Replace(ChildLifecycle head, ChildLifecycle next)
    {
        _heads.Remove(head);
        _heads.Add(next);
    }

    public bool Equals(ChildLifecycle? x, ChildLifecycle? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && KeyOf(x).Equals(KeyOf(y)));

    public int GetHashCode(ChildLifecycle obj) => KeyOf(obj).GetHashCode();

    private ChildSaKey KeyOf(ChildLifecycle lc) => ReferenceEquals(lc, _probe) ? _probeKey : ChildSaKey.Of(lc.Sa);
}
