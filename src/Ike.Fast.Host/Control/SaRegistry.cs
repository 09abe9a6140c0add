namespace Ike.Fast.Host.Control;

/// <summary>
/// The daemon's SA table for status queries. The loop thread writes it from engine events; control-socket threads
/// read snapshots. A lock is enough: writes happen once per SA negotiation, not per packet.
/// </summary>
public sealed class SaRegistry(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly List<IkeSaStatus> _ike = [];
    private readonly List<ChildSaStatus> _child = [];

    public void AddIke(IkeSaStatus sa)
    {
        lock (_lock)
        {
            _ike.RemoveAll(s => s.InitiatorCookie == sa.InitiatorCookie && s.ResponderCookie == sa.ResponderCookie);
            _ike.Add(sa);
        }
    }

    /// <summary>Replaces an ISAKMP SA's row with <paramref name="update"/>'s result (road-warrior fields learnt later).</summary>
    public void UpdateIke(string initiatorCookie, string responderCookie, Func<IkeSaStatus, IkeSaStatus> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            int i = _ike.FindIndex(s => s.InitiatorCookie == initiatorCookie && s.ResponderCookie == responderCookie);
            if (i >= 0)
            {
                _ike[i] = update(_ike[i]);
            }
        }
    }

    public void RemoveIke(string initiatorCookie, string responderCookie)
    {
        lock (_lock)
        {
            _ike.RemoveAll(s => s.InitiatorCookie == initiatorCookie && s.ResponderCookie == responderCookie);
        }
    }

    public void AddChild(ChildSaStatus sa)
    {
        lock (_lock)
        {
            _child.RemoveAll(s => s.SpiIn == sa.SpiIn);
            _child.Add(sa);
        }
    }

    public void RemoveChild(string spiIn)
    {
        lock (_lock)
        {
            _child.RemoveAll(s => s.SpiIn == spiIn);
        }
    }

    public int IkeCount
    {
        get
        {
            lock (_lock)
            {
                return _ike.Count;
            }
        }
    }

    public int ChildCount
    {
        get
        {
            lock (_lock)
            {
                return _child.Count;
            }
        }
    }

    /// <summary>A copy with ages computed now.</summary>
    public (IReadOnlyList<IkeSaStatus> Ike, IReadOnlyList<ChildSaStatus> Child) Snapshot()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            return (
                _ike.Select(s => s with { AgeSeconds = now - s.EstablishedUnixSeconds }).ToList(),
                _child.Select(s => s with { AgeSeconds = now - s.InstalledUnixSeconds }).ToList());
        }
    }
}
