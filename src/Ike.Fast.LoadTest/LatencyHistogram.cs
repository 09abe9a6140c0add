using HdrHistogram;

namespace Ike.Fast.LoadTest;

/// <summary>
/// Handshake latencies in microseconds (HdrHistogram, 3 significant digits, up to 10 minutes): a cumulative histogram
/// and one for the current interval of the time series. Written by generator threads, read by the sampler: a lock,
/// taken once per completed handshake, is far below the cost of the handshake itself.
/// </summary>
internal sealed class LatencyHistogram
{
    private const long HighestTrackableMicroseconds = 600_000_000;

    private readonly object _gate = new();
    private readonly LongHistogram _total = new(HighestTrackableMicroseconds, 3);
    private LongHistogram _interval = new(HighestTrackableMicroseconds, 3);

    public void Record(long microseconds)
    {
        long v = Math.Clamp(microseconds, 1, HighestTrackableMicroseconds);
        lock (_gate)
        {
            _total.RecordValue(v);
            _interval.RecordValue(v);
        }
    }

    /// <summary>Percentiles of everything so far.</summary>
    public LatencySummary Total()
    {
        lock (_gate)
        {
            return LatencySummary.Of(_total);
        }
    }

    /// <summary>Percentiles since the last call, then starts a new interval.</summary>
    public LatencySummary TakeInterval()
    {
        LongHistogram h;
        lock (_gate)
        {
            h = _interval;
            _interval = new LongHistogram(HighestTrackableMicroseconds, 3);
        }

        return LatencySummary.Of(h);
    }
}
