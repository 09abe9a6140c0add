namespace Ike.Fast.Protocol;

/// <summary>
/// The IPsec SAs an ISAKMP SA negotiated (RFC 2409 §5.5: any number of Quick Modes under one Phase 1), held inline in
/// the <see cref="IkeSa"/>: the first two in fields, more in a list made on first need. The common case (one or two
/// Phase 2 SAs per Phase 1) then costs three references in the SA instead of a list object and its array (72 B per
/// SA; issue #7). A mutable struct: used only through the SA's field, never copied while being changed. Order is kept
/// (removal shifts), so the status output lists children in negotiation order as before.
/// </summary>
internal struct ChildSaSlots
{
    private ChildSaInfo? _first;
    private ChildSaInfo? _second;
    private List<ChildSaInfo>? _rest;

    /// <summary>Number of children: the slots fill in order, so a null slot ends the sequence.</summary>
    public readonly int Count => _first is null ? 0 : _second is null ? 1 : 2 + (_rest?.Count ?? 0);

    public readonly ChildSaInfo this[int index] => index switch
    {
        0 when _first is not null => _first,
        1 when _second is not null => _second,
        _ when index >= 2 && _rest is not null && index - 2 < _rest.Count => _rest[index - 2],
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public void Add(ChildSaInfo child)
    {
        ArgumentNullException.ThrowIfNull(child);
        if (_first is null)
        {
            _first = child;
        }
        else if (_second is null)
        {
            _second = child;
        }
        else
        {
            (_rest ??= new List<ChildSaInfo>(2)).Add(child);
        }
    }

    /// <summary>Removes the child at <paramref name="index"/>, moving the later ones down one place.</summary>
    public void RemoveAt(int index)
    {
        int count = Count;
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        if (index == 0)
        {
            _first = _second;
        }

        if (index <= 1)
        {
            _second = count > 2 ? _rest![0] : null;
            if (count > 2)
            {
                _rest!.RemoveAt(0);
            }
        }
        else
        {
            _rest!.RemoveAt(index - 2);
        }

        // A null second slot must end the sequence (Count relies on it): when the first moved down from an empty second, it is null too.
        if (_first is null)
        {
            _second = null;
        }
    }

    /// <summary>Removes <paramref name="child"/> (by reference); false when it is not one of these.</summary>
    public bool Remove(ChildSaInfo child)
    {
        int index = IndexOf(child);
        if (index < 0)
        {
            return false;
        }

        RemoveAt(index);
        return true;
    }

    public readonly int IndexOf(ChildSaInfo child)
    {
        int count = Count;
        for (int i = 0; i < count; i++)
        {
            if (ReferenceEquals(this[i], child))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Forgets every child; a list made for a third one is kept (emptied) for the SA's next use.</summary>
    public void Clear()
    {
        _first = null;
        _second = null;
        _rest?.Clear();
    }

    /// <summary>A copy for status output (allocates; not on the packet path).</summary>
    public readonly ChildSaInfo[] ToArray()
    {
        var copy = new ChildSaInfo[Count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = this[i];
        }

        return copy;
    }

    public readonly Enumerator GetEnumerator() => new(this);

    /// <summary>Allocation-free enumeration over a snapshot of the slots (do not change the SA's children meanwhile).</summary>
    public struct Enumerator(ChildSaSlots slots)
    {
        private readonly ChildSaSlots _slots = slots;
        private int _index = -1;

        public readonly ChildSaInfo Current => _slots[_index];

        public bool MoveNext() => ++_index < _slots.Count;
    }
}
