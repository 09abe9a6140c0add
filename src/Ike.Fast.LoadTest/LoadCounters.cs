namespace Ike.Fast.LoadTest;

/// <summary>Run-wide counters, written by generator threads (interlocked) and read by the sampler.</summary>
internal sealed class LoadCounters
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _failures = new(StringComparer.Ordinal);
    private long _started;
    private long _completed;
    private long _failed;
    private long _inFlight;
    private long _retransmits;
    private long _childSas;
    private long _childSasWithPfs;
    private long _configurations;
    private long _childSasEncapsulated;
    private long _deleted;
    private long _sent;
    private long _received;
    private long _dropped;
    private long _duplicated;
    private long _delayed;

    public long Started => Interlocked.Read(ref _started);

    public long Completed => Interlocked.Read(ref _completed);

    public long Failed => Interlocked.Read(ref _failed);

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Retransmits => Interlocked.Read(ref _retransmits);

    public long ChildSas => Interlocked.Read(ref _childSas);

    public long Deleted => Interlocked.Read(ref _deleted);

    public long DatagramsSent => Interlocked.Read(ref _sent);

    public long DatagramsReceived => Interlocked.Read(ref _received);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Duplicated => Interlocked.Read(ref _duplicated);

    public long Delayed => Interlocked.Read(ref _delayed);

    public void OnStarted()
    {
        Interlocked.Increment(ref _started);
        Interlocked.Increment(ref _inFlight);
    }

    public void OnCompleted()
    {
        Interlocked.Increment(ref _completed);
        Interlocked.Decrement(ref _inFlight);
    }

    public void OnFailed(string reason)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.Decrement(ref _inFlight);
        lock (_gate)
        {
            _failures[reason] = _failures.GetValueOrDefault(reason) + 1;
        }
    }

    public void OnRetransmit() => Interlocked.Increment(ref _retransmits);

    /// <summary>An IPsec SA pair is up; <paramref name="pfs"/>: its Quick Mode carried a KE (RFC 2409 section 5.5).</summary>
    /// <param name="encapsulated">ESP-in-UDP (RFC 3948), i.e. NAT-T floated.</param>
    public void OnChildSa(bool pfs, bool encapsulated)
    {
        Interlocked.Increment(ref _childSas);
        if (pfs)
        {
            Interlocked.Increment(ref _childSasWithPfs);
        }

        if (encapsulated)
        {
            Interlocked.Increment(ref _childSasEncapsulated);
        }
    }

    /// <summary>IPsec SA pairs set up for ESP-in-UDP (NAT-T).</summary>
    public long ChildSasUdpEncapsulated => Interlocked.Read(ref _childSasEncapsulated);

    /// <summary>Mode-Config replies (virtual address and attributes) the peers received.</summary>
    public long ConfigurationsReceived => Interlocked.Read(ref _configurations);

    public void OnConfigurationReceived() => Interlocked.Increment(ref _configurations);

    /// <summary>IPsec SA pairs keyed with a Quick Mode Diffie-Hellman exchange (PFS).</summary>
    public long ChildSasWithPfs => Interlocked.Read(ref _childSasWithPfs);

    public void OnDeleted() => Interlocked.Increment(ref _deleted);

    public void OnSent() => Interlocked.Increment(ref _sent);

    public void OnReceived() => Interlocked.Increment(ref _received);

    public void OnDropped() => Interlocked.Increment(ref _dropped);

    public void OnDuplicated() => Interlocked.Increment(ref _duplicated);

    public void OnDelayed() => Interlocked.Increment(ref _delayed);

    /// <summary>Failures by reason, most frequent first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> FailuresByReason()
    {
        lock (_gate)
        {
            return [.. _failures.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)];
        }
    }
}
