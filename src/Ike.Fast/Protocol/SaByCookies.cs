using System.Diagnostics.CodeAnalysis;

namespace Ike.Fast.Protocol;

/// <summary>
/// ISAKMP SAs by their cookie pair, keyed through the SA itself (a set whose comparer reads
/// <see cref="IkeSa.InitiatorCookie"/> / <see cref="IkeSa.ResponderCookie"/>): an entry is 16 bytes (hash, next,
/// reference) where a dictionary from the pair to the SA took 32 (issue #7). Lookups by cookies go through one probe
/// SA whose key the comparer substitutes, so they allocate nothing. An SA's cookies must not change while it is listed
/// (they are set before it is added: <see cref="Endpoint"/>'s responder on MM1, its initiator on learning the
/// responder cookie).
/// </summary>
internal sealed class SaByCookies : IEqualityComparer<IkeSa>
{
    private readonly HashSet<IkeSa> _set;
    private readonly IkeSa _probe = new();
    private (ulong I, ulong R) _probeKey;

    public SaByCookies() => _set = new HashSet<IkeSa>(this);

    public int Count => _set.Count;

    /// <summary>The listed SAs (a struct enumerator: no allocation).</summary>
    public HashSet<IkeSa> Values => _set;

    public bool TryGetValue((ulong I, ulong R) cookies, [MaybeNullWhen(false)] out IkeSa sa)
    {
        _probeKey = cookies;
        bool found = _set.TryGetValue(_probe, out sa);
        _probeKey = default;
        return found;
    }

    public bool ContainsKey((ulong I, ulong R) cookies) => TryGetValue(cookies, out _);

    /// <summary>
    /// Lists <paramref name="sa"/> under its own cookies, replacing an SA listed under the same pair. One probe when the
    /// pair is free (the usual case; a remove-then-add took two).
    /// </summary>
    public void Set(IkeSa sa)
    {
        TableGrowth.BeforeAdd(_set);
        if (!_set.Add(sa))
        {
            if (_set.TryGetValue(sa, out IkeSa? listed) && !ReferenceEquals(listed, sa))
            {
                _set.Remove(listed);
                listed.ListedByCookies = false;
                _set.Add(sa);
            }
        }

        sa.ListedByCookies = true;
    }

    /// <summary>Unlists whatever SA is listed under <paramref name="sa"/>'s cookies (normally <paramref name="sa"/> itself).</summary>
    public bool Remove(IkeSa sa)
    {
        if (sa.ListedByCookies)
        {
            // Listed: the entry under its cookies is this object (a pair is listed once); one probe removes it.
            _set.Remove(sa);
            sa.ListedByCookies = false;
            return true;
        }

        return Remove((sa.InitiatorCookie, sa.ResponderCookie));
    }

    public bool Remove((ulong I, ulong R) cookies)
    {
        _probeKey = cookies;
        bool removed = _set.TryGetValue(_probe, out IkeSa? listed) && _set.Remove(listed);
        _probeKey = default;
        if (removed)
        {
            listed!.ListedByCookies = false;
        }

        return removed;
    }

    public bool Equals(IkeSa? x, IkeSa? y) => ReferenceEquals(x, y) || (x is not null && y is not null && KeyOf(x) == KeyOf(y));

    public int GetHashCode(IkeSa obj) => KeyOf(obj).GetHashCode();

    private (ulong I, ulong R) KeyOf(IkeSa sa) => ReferenceEquals(sa, _probe) ? _probeKey : (sa.InitiatorCookie, sa.ResponderCookie);
}
