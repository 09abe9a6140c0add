namespace Ike.Fast.LoadTest;

/// <summary>Receives live snapshots (about four a second) while a run is going.</summary>
public interface ILoadTestProgress
{
    /// <summary>A snapshot; <paramref name="failures"/> by reason.</summary>
    void Report(LoadSample sample, LatencySummary total, IReadOnlyList<KeyValuePair<string, long>> failures);
}
