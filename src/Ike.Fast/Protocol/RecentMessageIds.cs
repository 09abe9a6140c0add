namespace Ike.Fast.Protocol;

/// <summary>
/// The message IDs of the last exchanges completed on one ISAKMP SA (Quick Mode, Informational), so a replayed
/// message is dropped (RFC 2408 §3.1: a message ID names one exchange). A ring of the most recent
/// <see cref="Capacity"/> IDs instead of an ever-growing set: a long-lived SA with DPD every few seconds would
/// otherwise grow (and reallocate) without bound. Older IDs are safe to forget: a replay of one still needs its
/// HASH(1), and acts only on state that is gone (a deleted SPI) or is checked again (DPD sequence numbers).
/// A struct held inline by <see cref="IkeSa"/> (as an object it cost ~24 B more per SA: header and reference). The
/// first <see cref="InlineCapacity"/> IDs are held inline too (an SA with its first Quick Modes kept a 56-byte array of
/// eight: issue #7); the array of eight is made only for a fifth ID (a first array of two kept growing in the steady
/// state of EngineAllocationTests), and a pooled SA keeps the array it grew and uses it from the start, so reuse
/// allocates nothing.
/// </summary>
internal struct RecentMessageIds
{
    /// <summary>How many recent IDs are remembered.</summary>
    public const int Capacity = 256;

    /// <summary>IDs held inline before an array is needed.</summary>
    public const int InlineCapacity = 4;

    private InlineMessageIds4 _inline;
    private uint[]? _ids;
    private int _count;
    private int _next;

    public readonly int Count => _count;

    public readonly bool Contains(uint id) =>
        _ids is null ? ((ReadOnlySpan<uint>)_inline)[.._count].Contains(id) : _ids.AsSpan(0, _count).Contains(id);

    public void Add(uint id)
    {
        if (_ids is null)
        {
            if (_count < InlineCapacity)
            {
                _inline[_count++] = id;
                return;
            }

            _ids = new uint[2 * InlineCapacity];
            ((ReadOnlySpan<uint>)_inline).CopyTo(_ids);
            _inline = default;
        }

        if (_count < _ids.Length)
        {
            _ids[_count++] = id;
            _next = _count % _ids.Length;
            return;
        }

        if (_ids.Length < Capacity)
        {
            Array.Resize(ref _ids, _ids.Length * 2);
            _ids[_count++] = id;
            _next = _count % _ids.Length;
            return;
        }

        _ids[_next] = id;
        _next = (_next + 1) % _ids.Length;
    }

    /// <summary>Forgets every ID (an array is kept for the SA's next use, which then starts in it).</summary>
    public void Clear()
    {
        _inline = default;
        _count = 0;
        _next = 0;
    }
}
