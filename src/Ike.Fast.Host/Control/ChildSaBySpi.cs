using System.Diagnostics.CodeAnalysis;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Control;

/// <summary>
/// IPsec SA pairs keyed by inbound SPI through the pair itself (a set whose comparer reads
/// <see cref="ChildSaInfo.InboundSpi"/>): an entry is 16 bytes (hash, next, reference) where a dictionary from SPI to
/// the pair took 24 and one to a (pair, time) row 32, in every table that lists installed pairs (issue #7). Lookups
/// by SPI go through one probe object whose key the comparer substitutes, so they allocate nothing. Not thread-safe:
/// its owners call it under their lock. A pair's SPI must not change while it is listed.
/// </summary>
internal sealed class ChildSaBySpi : IEqualityComparer<ChildSaInfo>
{
    private readonly HashSet<ChildSaInfo> _set;
    private readonly ChildSaInfo _probe = new();
    private uint _probeSpi;

    public ChildSaBySpi() => _set = new HashSet<ChildSaInfo>(this);

    public int Count => _set.Count;

    /// <summary>The listed pairs (control path: enumerating boxes nothing here, the callers copy under their lock).</summary>
    public HashSet<ChildSaInfo> Values => _set;

    public bool Contains(uint inboundSpi) => TryGetValue(inboundSpi, out _);

    public bool TryGetValue(uint inboundSpi, [MaybeNullWhen(false)] out ChildSaInfo sa)
    {
        _probeSpi = inboundSpi;
        return _set.TryGetValue(_probe, out sa);
    }

    /// <summary>
    /// Lists <paramref name="sa"/>, replacing a pair listed with the same inbound SPI. One probe when the SPI is free (the
    /// usual case; a remove-then-add took two, issue #8).
    /// </summary>
    public void Set(ChildSaInfo sa)
    {
        TableGrowth.BeforeAdd(_set); // by a quarter, not doubling: the bytes per SA do not jump
        if (!_set.Add(sa))
        {
            _set.Remove(sa); // the entry under the same SPI (Equals matches by SPI)
            _set.Add(sa);
        }
    }

    public bool Remove(uint inboundSpi)
    {
        _probeSpi = inboundSpi;
        return _set.Remove(_probe);
    }

    public bool Equals(ChildSaInfo? x, ChildSaInfo? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && SpiOf(x) == SpiOf(y));

    public int GetHashCode(ChildSaInfo obj) => (int)SpiOf(obj);

    private uint SpiOf(ChildSaInfo sa) => ReferenceEquals(sa, _probe) ? _probeSpi : sa.InboundSpi;
}
