using System.Diagnostics.CodeAnalysis;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Queues Diffie-Hellman exponentiations from many handshakes per MODP group and runs them eight at a time on the
/// selected tier (<see cref="ModExpTierSelector"/>). A sans-IO data structure: nothing happens until the owner
/// calls <see cref="Poll"/> (or <see cref="TryTakeBatch"/>) with the current time; a batch runs when its lanes are
/// full or when its oldest request has waited <see cref="ModExpBatchOptions.FlushDeadline"/>.
/// <see cref="ModExpBatchWorker"/> drives one from a thread. Not thread-safe by itself.
/// </summary>
public sealed class ModExpBatcher : IDisposable
{
    /// <summary>Default pending requests per group (eight full batches).</summary>
    public const int DefaultQueueCapacity = 64;

    private readonly ModExpGroupQueue?[] _queues = new ModExpGroupQueue?[32];
    private readonly ModExpBatchOptions _options;
    private readonly int _queueCapacity;
    private readonly bool _tierForced;

    /// <summary>A batcher on the tier <see cref="ModExpTierSelector.Select(ModExpBatchOptions)"/> picks.</summary>
    public ModExpBatcher(ModExpBatchOptions options, int queueCapacity = DefaultQueueCapacity)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 8);
        _options = options;
        _queueCapacity = queueCapacity;
        string? environment = Environment.GetEnvironmentVariable(ModExpBatchOptions.TierEnvironmentVariable);
        Tier = ModExpTierSelector.Select(options, environment);
        _tierForced = ModExpTierSelector.Forced(options, environment) is not null;
    }

    /// <summary>
    /// The tier the groups' kernels use (chosen by CPU features, or forced). When chosen, a managed vector tier runs a
    /// group's partly filled vectors, or the whole group, on the scalar tier where that is faster
    /// (<see cref="ModExpTierSelector.CreateGroupKernel"/>).
    /// </summary>
    public ModExpTier Tier { get; }

    /// <summary>The flush deadline in force.</summary>
    public TimeSpan FlushDeadline => _options.FlushDeadline;

    /// <summary>
    /// The earliest time a batch is due (<see cref="TimeSpan.MinValue"/> when one is due now), or null when
    /// nothing is queued: the host sleeps until then.
    /// </summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? next = null;
            foreach (ModExpGroupQueue? queue in _queues)
            {
                if (queue?.Deadline(_options.FlushDeadline) is { } due && (next is null || due < next))
                {
                    next = due;
                }
            }

            return next;
        }
    }

    /// <summary>Batches handed out so far (counter).</summary>
    public long BatchesTaken { get; private set; }

    /// <summary>Requests handed out in those batches (LanesTaken / BatchesTaken is the lane occupancy).</summary>
    public long LanesTaken { get; private set; }

    /// <summary>Batches that left with free lanes because their oldest request reached the flush deadline.</summary>
    public long PartialBatchesTaken { get; private set; }

    /// <summary>
    /// The longest time any batch's oldest request waited in the queue, on the caller's clock: the added latency
    /// of batching, bounded by <see cref="FlushDeadline"/> plus the host's polling lateness.
    /// </summary>
    public TimeSpan MaxOldestWait { get; private set; }

    /// <summary>The counters as one value.</summary>
    public ModExpBatchCounters Counters => new(BatchesTaken, LanesTaken, PartialBatchesTaken, MaxOldestWait);

    /// <summary>Requests of <paramref name="group"/> waiting for a batch.</summary>
    public int PendingCount(DhGroupId group) => QueueOrNull(group)?.Count ?? 0;

    /// <summary>
    /// Creates the group's kernel and queue now (a one-time allocation, otherwise done by the first request), so
    /// that steady-state enqueues allocate nothing.
    /// </summary>
    public void Prepare(DhGroupId group) => Queue(group);

    /// <summary>
    /// Queues base^exponent mod p of <paramref name="group"/> for <paramref name="owner"/>; <paramref name="token"/>
    /// comes back with the result. Base and exponent are copied (the exponent is wiped once used). Exponents of
    /// one batch are padded to the longest: give every private value of a group the same (public) length.
    /// </summary>
    public ModExpEnqueueResult TryEnqueue(
        DhGroupId group, ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, IModExpCompletion owner, long token, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return Queue(group).TryEnqueue(@base, exponent, owner, token, now);
    }

    /// <summary>
    /// Takes the next due batch (lanes full, or oldest request past the deadline). The caller runs
    /// <see cref="ModExpBatch.Execute"/> then <see cref="ModExpBatch.Complete"/>; until then the group has no
    /// further batch.
    /// </summary>
    public bool TryTakeBatch(TimeSpan now, [NotNullWhen(true)] out ModExpBatch? batch)
    {
        ModExpBatch? best = null;
        TimeSpan bestDue = TimeSpan.MaxValue;
        ModExpGroupQueue? bestQueue = null;
        foreach (ModExpGroupQueue? queue in _queues)
        {
            if (queue?.Deadline(_options.FlushDeadline) is { } due && due <= now && due < bestDue)
            {
                bestDue = due;
                bestQueue = queue;
            }
        }

        TimeSpan oldest = bestQueue is { Count: > 0 } ? bestQueue.OldestEnqueuedAt : now;
        best = bestQueue?.TryTake(now, _options.FlushDeadline);
        if (best is null)
        {
            batch = null;
            return false;
        }

        batch = best;

        // Counters (the host's clock, so tests with a fake clock read exact values; no wall-clock asserts).
        BatchesTaken++;
        LanesTaken += best.Lanes;
        if (best.Lanes < bestQueue!.Kernel.MaxLanes)
        {
            PartialBatchesTaken++;
        }

        TimeSpan waited = now - oldest;
        if (waited > MaxOldestWait)
        {
            MaxOldestWait = waited;
        }

        return true;
    }

    /// <summary>Runs every due batch and calls the owners back; returns how many requests completed.</summary>
    public int Poll(TimeSpan now)
    {
        int completed = 0;
        while (TryTakeBatch(now, out ModExpBatch? batch))
        {
            completed += batch.Lanes;
            batch.Execute();
            batch.Complete();
        }

        return completed;
    }

    /// <summary>Wipes the queued exponents and frees the kernels.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _queues.Length; i++)
        {
            _queues[i]?.Dispose();
            _queues[i] = null;
        }
    }

    private ModExpGroupQueue? QueueOrNull(DhGroupId group) => (uint)group < (uint)_queues.Length ? _queues[(int)group] : null;

    private ModExpGroupQueue Queue(DhGroupId group)
    {
        if (QueueOrNull(group) is { } existing)
        {
            return existing;
        }

        IModExpLaneKernel kernel;
        if (group is DhGroupId.Curve25519 or DhGroupId.Ecp256)
        {
            // A curve group runs on its multi-lane ECDH kernel (there is no managed tier: a configuration error otherwise).
            IEcdhLaneKernel ecdh = _options.EcdhFactory?.TryCreate(group)
                ?? throw new ArgumentOutOfRangeException(nameof(group), group, "No multi-lane ECDH kernel for this group (ModExpBatchOptions.EcdhFactory).");
            kernel = new EcdhModExpKernel(ecdh);
        }
        else
        {
            ModpGroup modp = ModExpGroups.ForId(group); // throws for other non-MODP groups (configuration error)
            kernel = ModExpTierSelector.CreateGroupKernel(Tier, _tierForced, modp.PrimeBytes, modp.Bits, _options.NativeFactory);
        }

        var queue = new ModExpGroupQueue(group, kernel, _queueCapacity);
        _queues[(int)group] = queue;
        return queue;
    }
}
