using System.Diagnostics;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// The host side of a <see cref="ModExpBatcher"/>: one background thread that runs due batches (outside the lock,
/// so submitters are not held up by an exponentiation), calls owners back on that thread, and tops up key-pair
/// pools when it has nothing else to do. The worker never spins: a partial batch's flush deadline is waited for with
/// timed waits of whole milliseconds rounded down, and the batch runs once less than a millisecond is left, so the
/// deadline is never exceeded (a deadline under a millisecond means: run partial batches at once). A yielding spin
/// until a 200 us deadline cost the responder some 10 us of CPU per handshake under load, more than the lanes it
/// would have saved; hence the default deadline of one millisecond (<see cref="ModExpBatchOptions.FlushDeadline"/>). Submitters wake the worker only when it has to act: the first request
/// after an idle wait (to arm the deadline) and a request that fills a batch; other requests join the pending batch
/// without a futex wake.
/// </summary>
public sealed class ModExpBatchWorker : IDisposable
{
    private readonly ModExpBatcher _batcher;
    private readonly EphemeralKeyPairPool[] _pools;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly long _start = Stopwatch.GetTimestamp();
    private bool _stopping;
    private bool _idleWait; // the worker waits with nothing queued: the next request must wake it
    private bool _lonely;   // the last batch held one request: waiting for company did not pay (low load)
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
            TimeSpan now = Now;
            ModExpEnqueueResult result = _batcher.TryEnqueue(group, @base, exponent, owner, token, now);
            if (result == ModExpEnqueueResult.Queued && (_idleWait || _batcher.NextDeadline is { } due && due <= now))
            {
                // Asleep without a deadline, or a batch is due now (full lanes): wake the worker. A worker that is
                // running a batch or waiting for a partial batch's deadline picks the request up by itself.
                _idleWait = false;
                Monitor.Pulse(_gate);
            }

            return result;
        }
    }

    /// <summary>
    /// Wakes the worker when a pool has dropped below its low watermark (called after taking pairs from a pool, so it
    /// refills); otherwise nothing (a wake per pair taken would cost a futex wake and a context switch per handshake).
    /// </summary>
    public void Nudge()
    {
        foreach (EphemeralKeyPairPool pool in _pools)
        {
            if (pool.NeedsRefill)
            {
                lock (_gate)
                {
                    _idleWait = false;
                    Monitor.Pulse(_gate);
                }

                return;
            }
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
                try
                {
                    // Outside the lock: the owners post results and wake their loops (an eventfd write each), and
                    // submitters (the shards) would otherwise wait for the lock meanwhile (futex waits under load).
                    batch.Deliver();
                }
                finally
                {
                    lock (_gate)
                    {
                        batch.Finish();
                    }
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
                    _lonely = batch.Lanes == 1;
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
                    _idleWait = true;
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(50)); // also re-checks the pools now and then
                    _idleWait = false;
                }
                else if (_lonely && _batcher.TryTakeBatch(due.Value, out batch))
                {
                    // Low load: the last batch found no company within its deadline, so this one runs now rather than
                    // wait a millisecond for none (a lone handshake keeps its latency). It runs as if at its deadline
                    // (the batcher's wait counter reads the deadline). Any batch of two or more resumes the waiting.
                    _lonely = batch.Lanes == 1;
                    return batch;
                }
                else
                {
                    // Whole milliseconds, rounded down, so a partial batch never waits past its deadline (issue #5: a
                    // lone request's added latency is at most the configured deadline). With less than a millisecond
                    // left, the batch runs now, as if at its deadline: Monitor.Wait cannot wait less than a millisecond,
                    // and a yielding spin for the remainder cost more CPU than the lanes it would have filled.
                    int wait = (int)Math.Floor((due.Value - now).TotalMilliseconds);
                    if (wait < 1)
                    {
                        if (_batcher.TryTakeBatch(due.Value, out batch))
                        {
                            _lonely = batch.Lanes == 1;
                            return batch;
                        }

                        continue;
                    }

                    Monitor.Wait(_gate, wait);
                }
            }

            return null;
        }
    }
}
