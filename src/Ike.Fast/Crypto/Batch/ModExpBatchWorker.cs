using System.Diagnostics;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// The host side of a <see cref="ModExpBatcher"/>: one background thread that runs due batches (outside the lock,
/// so submitters are not held up by an exponentiation), calls owners back on that thread, and tops up key-pair
/// pools when it has nothing else to do. Timed waits shorter than a millisecond spin (yielding) so the 200 us
/// flush deadline holds.
/// </summary>
public sealed class ModExpBatchWorker : IDisposable
{
    private static readonly TimeSpan SpinThreshold = TimeSpan.FromMilliseconds(1);
    private readonly ModExpBatcher _batcher;
    private readonly EphemeralKeyPairPool[] _pools;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly long _start = Stopwatch.GetTimestamp();
    private bool _stopping;
    private Exception? _failure;

    /// <summary>Starts the worker thread over <paramref name="batcher"/> (which it owns from now on).</summary>
    public ModExpBatchWorker(ModExpBatcher batcher, params EphemeralKeyPairPool[] pools)
    {
        ArgumentNullException.ThrowIfNull(batcher);
        ArgumentNullException.ThrowIfNull(pools);
        _batcher = batcher;
        _pools = pools;
        _thread = new Thread(Run) { IsBackground = true, Name = "IkeFast modexp batcher" };
        _thread.Start();
    }

    /// <summary>Monotonic time since the worker started (the batcher's clock).</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    /// <summary>The exception that stopped the worker thread, if any.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>The batcher's counters (clock: <see cref="Now"/>).</summary>
    public ModExpBatchCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return _batcher.Counters;
            }
        }
    }

    /// <summary>Queues an exponentiation; <paramref name="owner"/> is called back on the worker thread.</summary>
    public ModExpEnqueueResult Submit(
        DhGroupId group, ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, IModExpCompletion owner, long token)
    {
        lock (_gate)
        {
            ModExpEnqueueResult result = _batcher.TryEnqueue(group, @base, exponent, owner, token, Now);
            if (result == ModExpEnqueueResult.Queued)
            {
                Monitor.Pulse(_gate);
            }

            return result;
        }
    }

    /// <summary>Wakes the worker (for example after taking pairs from a pool, so it refills).</summary>
    public void Nudge()
    {
        lock (_gate)
        {
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Stops the thread (queued requests that have not run are dropped) and disposes the batcher.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
        _batcher.Dispose();
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                ModExpBatch? batch = NextBatch();
                if (batch is null)
                {
                    return;
                }

                batch.Execute();
                lock (_gate)
                {
                    batch.Complete();
                }
            }
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _failure, ex);
        }
    }

    private ModExpBatch? NextBatch()
    {
        lock (_gate)
        {
            while (!_stopping)
            {
                TimeSpan now = Now;
                if (_batcher.TryTakeBatch(now, out ModExpBatch? batch))
                {
                    return batch;
                }

                int refilled = 0;
                foreach (EphemeralKeyPairPool pool in _pools)
                {
                    refilled += pool.Refill(_batcher, now);
                }

                if (refilled > 0)
                {
                    continue;
                }

                TimeSpan? due = _batcher.NextDeadline;
                if (due is null)
                {
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(50)); // also re-checks the pools now and then
                }
                else if (due.Value - now > SpinThreshold)
                {
                    Monitor.Wait(_gate, due.Value - now);
                }
                else
                {
                    Monitor.Wait(_gate, 0); // lets submitters in, then re-checks
                    Thread.Yield();
                }
            }

            return null;
        }
    }
}
