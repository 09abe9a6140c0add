using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// One shard's lease on a Diffie-Hellman engine that every shard of a <see cref="Sharding.ShardedDaemon"/> shares
/// (<see cref="ConfiguredDhEngine.CreateShared"/>): the shards' requests fill the same batches (two shards at 3,800
/// handshakes/s gave batches of 2-3 shared secrets each per 1 ms deadline; together twice that) and one worker thread
/// wakes per batch instead of one per shard. Requests carry their shard's completion sink, so results still come back
/// to the shard that asked (<see cref="DhCompletionQueue"/>). Disposing a lease releases it; the last release disposes
/// the engine (after every shard's loop has stopped).
/// </summary>
internal sealed class SharedDhEngine : IDhEngine, IDisposable
{
    private readonly IDhEngine _engine;
    private readonly Leases _leases;
    private int _released;

    private SharedDhEngine(IDhEngine engine, Leases leases, bool reportsCounters)
    {
        _engine = engine;
        _leases = leases;
        ReportsCounters = reportsCounters;
    }

    /// <summary><paramref name="count"/> leases on <paramref name="engine"/>, which the last release disposes.</summary>
    public static SharedDhEngine[] Lease(IDhEngine engine, int count)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var leases = new Leases(count);
        var result = new SharedDhEngine[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new SharedDhEngine(engine, leases, reportsCounters: i == 0);
        }

        return result;
    }

    /// <summary>The shared engine.</summary>
    public IDhEngine Engine => _engine;

    /// <summary>
    /// True for one lease only: its holder reports the engine's batch counters, so metrics summed over the shards
    /// count every batch once.
    /// </summary>
    public bool ReportsCounters { get; }

    /// <summary>The batcher's counters when this lease reports them and the engine batches, else null.</summary>
    public ModExpBatchCounters? BatchCounters => ReportsCounters ? (_engine as BatchedDhEngine)?.BatchCounters : null;

    public DhResult Execute(in DhRequest request) => _engine.Execute(request);

    public ValueTask<DhResult> ExecuteAsync(DhRequest request, CancellationToken cancellationToken = default) =>
        _engine.ExecuteAsync(request, cancellationToken);

    public bool CanDefer => _engine.CanDefer;

    public bool Submit(in DhRequest request, IDhCompletionSink sink, long token, out DhResult result) =>
        _engine.Submit(request, sink, token, out result);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0 && _leases.Release())
        {
            (_engine as IDisposable)?.Dispose();
        }
    }

    /// <summary>Leases not yet released.</summary>
    private sealed class Leases(int count)
    {
        private int _open = count;

        /// <summary>True for the last release.</summary>
        public bool Release() => Interlocked.Decrement(ref _open) == 0;
    }
}
