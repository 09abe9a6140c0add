using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Host.Configuration;
using Ike.Native.Ecc;
using Ike.Native.ModExp;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// The daemon's Diffie-Hellman engine: by default the batched one (<see cref="BatchedDhEngine"/>: MODP shared secrets
/// eight at a time on the IFMA / AVX-512 / AVX2 / scalar tier, key pairs from one-use pools of the MODP groups the
/// configuration names, results handed back to the daemon thread through <see cref="DhCompletionPump"/>).
/// <para>
/// Environment: <c>IKEFAST_DH_ENGINE</c> = <c>batched</c> (default) or <c>scalar</c> (the synchronous engine);
/// <c>IKEFAST_DH_DEADLINE_US</c> = the batch flush deadline in microseconds (default <see cref="DefaultDeadline"/>);
/// <c>IKEFAST_DH_TIER</c> = forced tier (<see cref="ModExpBatchOptions.TierEnvironmentVariable"/>).
/// </para>
/// <para>
/// Legacy groups (1, 2) are refused by default (DhEngineOptions) unless the configuration names them: a proposal
/// keyword such as <c>modp1024</c> in <c>proposals</c> or <c>esp_proposals</c> is exactly that explicit naming
/// (Ike.Fast.Policy README), so those groups are enabled here. Without this the parser accepted
/// <c>aes128-sha256-modp1024</c> but the engine then failed every exchange with INVALID-KEY-INFORMATION (found against
/// charon, tests/Ike.Fast.InteropTests).
/// </para>
/// </summary>
internal static class ConfiguredDhEngine
{
    /// <summary>Environment variable choosing the engine: batched (default) or scalar.</summary>
    public const string EngineEnvironmentVariable = "IKEFAST_DH_ENGINE";

    /// <summary>Environment variable with the batch flush deadline in microseconds.</summary>
    public const string DeadlineEnvironmentVariable = "IKEFAST_DH_DEADLINE_US";

    /// <summary>
    /// Key pairs kept ready per pooled group: sixteen batches, so a burst of new peers does not fall back to the
    /// scalar path on the loop thread (the loadtest drained the engine's default 32 at a few hundred handshakes/s).
    /// </summary>
    public const int PoolCapacity = 128;

    /// <summary>
    /// Environment variable: <c>0</c> gives every shard its own engine and worker thread (as before the shared engine;
    /// for comparisons).
    /// </summary>
    public const string SharedEnvironmentVariable = "IKEFAST_DH_SHARED";

    /// <summary>
    /// One engine for <paramref name="shards"/> shards as one lease each (<see cref="SharedDhEngine"/>), or null for a
    /// single shard or with <c>IKEFAST_DH_SHARED=0</c> (each shard then creates its own).
    /// </summary>
    public static SharedDhEngine[]? CreateShared(IkeFastConfiguration configuration, int shards) =>
        shards > 1 && Environment.GetEnvironmentVariable(SharedEnvironmentVariable) != "0"
            ? SharedDhEngine.Lease(Create(configuration, Environment.GetEnvironmentVariable(EngineEnvironmentVariable),
                Environment.GetEnvironmentVariable(DeadlineEnvironmentVariable), shards), shards)
            : null;

    public static IDhEngine Create(IkeFastConfiguration configuration) =>
        Create(configuration, Environment.GetEnvironmentVariable(EngineEnvironmentVariable),
            Environment.GetEnvironmentVariable(DeadlineEnvironmentVariable));

    /// <summary>
    /// The daemon's batch flush deadline: 2 ms. The worker waits in whole milliseconds rounded down and runs a batch
    /// once less than a millisecond is left, so the engine's 1 ms default ran every partial batch at once: the race
    /// (32 in flight, two shards, group 31, ~5,000 handshakes/s) filled 3.5-4 lanes per batch. With 2 ms a partial
    /// batch waits one millisecond: 7.3-7.5 lanes, half the batches and worker wake-ups, p50 latency unchanged (full
    /// batches run at once). A lone request at low load still runs at once (the worker's batch-of-one rule).
    /// </summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The engine for <paramref name="shards"/> event loops: the batched engine's shared-secret queue and key-pair pools
    /// are sized per shard (as many as one engine per shard had).
    /// </summary>
    public static IDhEngine Create(IkeFastConfiguration configuration, string? engine, string? deadlineMicroseconds, int shards = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        var named = NamedGroups(configuration);
        var legacy = new HashSet<DhGroupId>(named);
        legacy.IntersectWith([DhGroupId.Modp768, DhGroupId.Modp1024]);
        var options = new DhEngineOptions
        {
            ExplicitlyEnabledLegacyGroups = legacy,
            // daemon.dh_exponent: full-length MODP exponents for a like-for-like race against charon.
            ExponentLength = configuration.Daemon.DhExponent,
        };
        switch (engine?.Trim().ToLowerInvariant())
        {
            case null or "" or "batched":
                break;
            case "scalar":
                return new ScalarDhEngine(SystemDhRandomSource.Instance, options);
            default:
                throw new InvalidOperationException($"{EngineEnvironmentVariable}='{engine}': expected 'batched' or 'scalar'.");
        }

        var batch = new ModExpBatchOptions
        {
            NativeFactory = IfmaModExpKernelFactory.Instance,
            EcdhFactory = IfmaEcdhKernelFactory.Instance,
            FlushDeadline = DefaultDeadline,
        };
        if (!string.IsNullOrWhiteSpace(deadlineMicroseconds))
        {
            if (!int.TryParse(deadlineMicroseconds, out var us) || us < 0)
            {
                throw new InvalidOperationException($"{DeadlineEnvironmentVariable}='{deadlineMicroseconds}': expected microseconds (>= 0).");
            }

            batch.FlushDeadline = TimeSpan.FromMicroseconds(us);
        }

        // Pools only for the groups in use (MODP, and X25519 and P-256 where their lanes run): pairs are computed ahead
        // of demand on the worker thread, so a responder's MM4 leaves at once (isakmpd's order).
        var pooled = named.Where(g => DhGroupRegistry.TryGet(g, out var group)
            && (group.Kind is DhGroupKind.Modp or DhGroupKind.Curve25519 || g == DhGroupId.Ecp256)).ToList();
        return new BatchedDhEngine(SystemDhRandomSource.Instance, options, batch, pooled, PoolCapacity * shards,
            sharedSecretCapacity: ModExpBatcher.DefaultQueueCapacity * shards);
    }

    private static HashSet<DhGroupId> NamedGroups(IkeFastConfiguration configuration)
    {
        var named = new HashSet<DhGroupId>();
        foreach (var peer in configuration.Connections)
        {
            foreach (var p in peer.IkeProposals)
            {
                named.Add(p.Group);
            }

            foreach (var child in peer.Children)
            {
                foreach (var p in child.Proposals)
                {
                    if (p.PfsGroup is { } g)
                    {
                        named.Add(g);
                    }
                }
            }
        }

        return named;
    }
}
