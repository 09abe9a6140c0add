namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// A snapshot of a <see cref="ModExpBatcher"/>'s counters: lane occupancy (<see cref="Lanes"/> / <see cref="Batches"/>)
/// and the added latency of batching (<see cref="MaxOldestWait"/>, on the host's clock).
/// </summary>
/// <param name="Batches">Batches run.</param>
/// <param name="Lanes">Requests run in them.</param>
/// <param name="PartialBatches">Batches flushed by the deadline with free lanes.</param>
/// <param name="MaxOldestWait">The longest queue wait of any batch's oldest request.</param>
public readonly record struct ModExpBatchCounters(long Batches, long Lanes, long PartialBatches, TimeSpan MaxOldestWait);
