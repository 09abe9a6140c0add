namespace Ike.Fast.Host.Admission;

/// <summary>
/// Admitted Phase 1s not yet established, by initiator cookie, with a count per source prefix. Shared by the shards
/// behind one lock: only new Phase 1s and Phase 1 completions touch it, never an established peer's datagram. Entries
/// leave when the engine reports the SA up or after the half-open timeout (a FIFO: every entry has the same timeout, so
/// the oldest expires first and the sweep is O(1) per entry). Its size is bounded by the global half-open limit.
/// </summary>
internal sealed class HalfOpenTable(int maxHalfOpen, int perPrefix, long timeoutMs)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, (SourcePrefix Prefix, long Admitted)> _byCookie = new(Math.Min(maxHalfOpen, 65536));
    private readonly Dictionary<SourcePrefix, int> _byPrefix = [];
    private readonly Queue<(ulong Cookie, long Admitted)> _order = new(Math.Min(maxHalfOpen, 65536));

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byCookie.Count;
            }
        }
    }

    /// <summary>
    /// Admits a new Phase 1 unless a bound says no. A retransmitted first message (same cookie, same prefix) is
    /// admitted again without counting twice: <paramref name="retransmission"/> tells the caller not to take a token.
    /// </summary>
    public RefusalReason? TryAdmit(ulong cookie, SourcePrefix prefix, long nowMs, bool takeSlot, out bool retransmission)
    {
        lock (_lock)
        {
            Sweep(nowMs);
            if (_byCookie.TryGetValue(cookie, out var known) && known.Prefix == prefix)
            {
                retransmission = true;
                return null;
            }

            retransmission = false;
            if (!takeSlot)
            {
                return null;
            }

            if (_byCookie.Count >= maxHalfOpen)
            {
                return RefusalReason.HalfOpen;
            }

            _byPrefix.TryGetValue(prefix, out var count);
            if (count >= perPrefix)
            {
                return RefusalReason.PrefixHalfOpen;
            }

            _byPrefix[prefix] = count + 1;
            _byCookie[cookie] = (prefix, nowMs);
            _order.Enqueue((cookie, nowMs));
            return null;
        }
    }

    /// <summary>The Phase 1 with this initiator cookie is up (or gone): it no longer counts.</summary>
    public void Complete(ulong cookie)
    {
        lock (_lock)
        {
            Remove(cookie);
        }
    }

    private void Sweep(long nowMs)
    {
        while (_order.TryPeek(out var oldest) && nowMs - oldest.Admitted >= timeoutMs)
        {
            _order.Dequeue();
            // Only if it is still that admission (completed entries were removed; a re-admission has a newer time).
            if (_byCookie.TryGetValue(oldest.Cookie, out var entry) && entry.Admitted == oldest.Admitted)
            {
                Remove(oldest.Cookie);
            }
        }
    }

    private void Remove(ulong cookie)
    {
        if (!_byCookie.Remove(cookie, out var entry))
        {
            return;
        }

        if (_byPrefix.TryGetValue(entry.Prefix, out var count) && count > 1)
        {
            _byPrefix[entry.Prefix] = count - 1;
        }
        else
        {
            _byPrefix.Remove(entry.Prefix);
        }
    }
}
