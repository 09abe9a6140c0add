using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// Brings deferred Diffie-Hellman results back into the daemon's <see cref="Endpoint"/> on the daemon thread: the
/// engine's worker posts into <see cref="Endpoint.DhCompletions"/>, the loop calls <see cref="Pump"/> every turn and,
/// while operations are outstanding, waits on its socket no longer than <see cref="PollInterval"/> (IKEFAST_DH_POLL_US,
/// default 1 ms), so a result is picked up at most that long after it is ready. With the batched transport
/// (<see cref="Transport.IWakeableTransport"/>) the engine's worker wakes the loop through the shard inbox's eventfd
/// instead (<see cref="WokenByEngine"/>): no polling, and the result is handled at once.
/// </summary>
internal sealed class DhCompletionPump : IDisposable
{
    private readonly Endpoint _endpoint;
    private readonly IDhEngine _engine;
    private readonly bool _ownsEngine;

    /// <summary>Environment variable: <c>0</c> turns the engine's wake-up off (poll as without an eventfd; for comparisons).</summary>
    public const string WakeEnvironmentVariable = "IKEFAST_DH_WAKE";

    /// <summary>False when <see cref="WakeEnvironmentVariable"/> is <c>0</c>.</summary>
    public static bool WakeEnabled => Environment.GetEnvironmentVariable(WakeEnvironmentVariable) != "0";

    /// <summary>Environment variable overriding <see cref="PollInterval"/> (microseconds).</summary>
    public const string PollEnvironmentVariable = "IKEFAST_DH_POLL_US";

    public DhCompletionPump(Endpoint endpoint, IDhEngine engine, bool ownsEngine)
    {
        _endpoint = endpoint;
        _engine = engine;
        _ownsEngine = ownsEngine || engine is SharedDhEngine; // a lease is released by the shard that holds it
        // 1 ms by default: under load datagrams wake the loop anyway and every turn pumps; in between, a shorter poll
        // costs a loop turn per interval while any DH is outstanding.
        // IKEFAST_DH_POLL_US overrides it.
        PollInterval = int.TryParse(Environment.GetEnvironmentVariable(PollEnvironmentVariable), out int us) && us > 0
            ? TimeSpan.FromMicroseconds(us)
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

    /// <summary>
    /// The batcher's counters (lane occupancy), or null for a synchronous engine; a shared engine's come from one
    /// shard's pump only (<see cref="SharedDhEngine.ReportsCounters"/>).
    /// </summary>
    public ModExpBatchCounters? BatchCounters => _engine is SharedDhEngine shared ? shared.BatchCounters : (_engine as BatchedDhEngine)?.BatchCounters;

    /// <summary>
    /// True when <see cref="Endpoint.DhCompletions"/> signals the loop's transport (an eventfd in its wait set): the
    /// wait is then not shortened.
    /// </summary>
    public bool WokenByEngine { get; set; }

    /// <summary>Results are waiting (the transport's check before it sleeps).</summary>
    public bool HasCompletions() => _endpoint.DhCompletions.Count > 0;

    /// <summary>
    /// The socket wait, shortened to <see cref="PollInterval"/> while DH results are outstanding, unless the engine
    /// wakes the loop itself (<see cref="WokenByEngine"/>).
    /// </summary>
    public TimeSpan BoundWait(TimeSpan wait) =>
        !WokenByEngine && _endpoint.PendingDhCount > 0 && wait > PollInterval ? PollInterval : wait;

    /// <summary>Resumes the exchanges whose results arrived; true when any did (the caller drains the engine then).</summary>
    public bool Pump(long now) => _endpoint.DhCompletions.Count > 0 && _endpoint.HandleDhCompletions(now) > 0;

    /// <summary>One line of batcher statistics (IKEFAST_DH_STATS=1 prints it to stderr when the process exits).</summary>
    public string? Statistics()
    {
        if ((_engine is SharedDhEngine { ReportsCounters: true } shared ? shared.Engine : _engine) is not BatchedDhEngine b)
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

}
