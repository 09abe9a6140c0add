using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// Brings deferred Diffie-Hellman results back into the daemon's <see cref="Endpoint"/> on the daemon thread: the
/// engine's worker posts into <see cref="Endpoint.DhCompletions"/>, the loop calls <see cref="Pump"/> every turn and,
/// while operations are outstanding, waits on its socket no longer than <see cref="PollInterval"/> (the batch flush
/// deadline), so a result is picked up at most that long after it is ready without a second wakeup source.
/// </summary>
internal sealed class DhCompletionPump : IDisposable
{
    private readonly Endpoint _endpoint;
    private readonly IDhEngine _engine;
    private readonly bool _ownsEngine;

    public DhCompletionPump(Endpoint endpoint, IDhEngine engine, bool ownsEngine)
    {
        _endpoint = endpoint;
        _engine = engine;
        _ownsEngine = ownsEngine;
        PollInterval = int.TryParse(Environment.GetEnvironmentVariable("IKEFAST_DH_POLL_US"), out int us) && us > 0
            ? TimeSpan.FromMicroseconds(us)
            : engine is BatchedDhEngine
            ? TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond / 10, BatchedFlushDeadline(engine).Ticks))
            : TimeSpan.FromMilliseconds(1);
        if (Environment.GetEnvironmentVariable("IKEFAST_DH_STATS") is not null)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Console.Error.WriteLine(Statistics());
        }
    }

    /// <summary>The longest socket wait while results are outstanding.</summary>
    public TimeSpan PollInterval { get; }

    /// <summary>Operations submitted by the endpoint and not yet handed back (DH queue depth of this shard).</summary>
    public long QueueDepth => _endpoint.PendingDhCount;

    /// <summary>The batcher's counters (lane occupancy), or null for a synchronous engine.</summary>
    public ModExpBatchCounters? BatchCounters => (_engine as BatchedDhEngine)?.BatchCounters;

    /// <summary>The socket wait, shortened to <see cref="PollInterval"/> while DH results are outstanding.</summary>
    public TimeSpan BoundWait(TimeSpan wait) => _endpoint.PendingDhCount > 0 && wait > PollInterval ? PollInterval : wait;

    /// <summary>Resumes the exchanges whose results arrived; true when any did (the caller drains the engine then).</summary>
    public bool Pump(long now) => _endpoint.DhCompletions.Count > 0 && _endpoint.HandleDhCompletions(now) > 0;

    /// <summary>One line of batcher statistics (IKEFAST_DH_STATS=1 prints it to stderr when the process exits).</summary>
    public string? Statistics()
    {
        if (_engine is not BatchedDhEngine b)
        {
            return null;
        }

        ModExpBatchCounters c = b.BatchCounters;
        return $"dh: batches {c.Batches} lanes {c.Lanes} fill {(c.Batches > 0 ? (double)c.Lanes / c.Batches : 0):F2} partial {c.PartialBatches} " +
            $"max-wait {c.MaxOldestWait.TotalMicroseconds:F0} us, shared batched {b.BatchedRequests}, key pairs pooled {b.PooledKeyPairs}, " +
            $"scalar fallbacks {b.ScalarFallbacks}, tier {b.Tier}";
    }

    public void Dispose()
    {
        if (_ownsEngine)
        {
            (_engine as IDisposable)?.Dispose();
        }
    }

    private static TimeSpan BatchedFlushDeadline(IDhEngine engine) => ((BatchedDhEngine)engine).FlushDeadline;
}
