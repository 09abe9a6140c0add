using HdrHistogram;

namespace Ike.Fast.LoadTest;

/// <summary>Latency percentiles in milliseconds (0 when nothing was recorded).</summary>
public readonly record struct LatencySummary(long Count, double P50, double P90, double P99, double Max, double Mean)
{
    internal static LatencySummary Of(HistogramBase h)
    {
        long n = h.TotalCount;
        if (n == 0)
        {
            return default;
        }

        return new LatencySummary(n, Ms(h.GetValueAtPercentile(50)), Ms(h.GetValueAtPercentile(90)),
            Ms(h.GetValueAtPercentile(99)), Ms(h.GetMaxValue()), h.GetMean() / 1000.0);
    }

    private static double Ms(long microseconds) => microseconds / 1000.0;
}
