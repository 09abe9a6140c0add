namespace Ike.Fast.Host.Admission;

/// <summary>
/// A token bucket shared by all shards without a lock: the state is one 64-bit word (tokens in thousandths, last refill
/// time in milliseconds) updated by compare-and-swap. Only new Phase 1s take tokens, so contention is bounded by the
/// rate of first packets, never by existing peers' traffic.
/// </summary>
public sealed class TokenBucket
{
    // state = (milli-tokens << 32) | (uint)refill time in ms; milli-tokens fit 31 bits for bursts up to 2,000,000.
    private const long Scale = 1000;
    private readonly long _capacity;
    private readonly long _ratePerMs;
    private long _state;

    /// <param name="rate">Tokens per second.</param>
    /// <param name="burst">Bucket depth (starts full).</param>
    public TokenBucket(int rate, int burst, long nowMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _capacity = Math.Min((long)burst * Scale, int.MaxValue);
        _ratePerMs = Math.Max(1, rate * Scale / 1000);
        _state = Pack(_capacity, nowMs);
    }

    /// <summary>Tokens left now (for stats).</summary>
    public long Available => (Volatile.Read(ref _state) >>> 32) / Scale;

    public bool TryTake(long nowMs)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var tokens = state >>> 32;
            var last = (uint)state;
            // Signed so that a caller whose clock reads a little behind the last refill (callers on several threads)
            // refills nothing and leaves the refill time where it was, instead of wrapping to a full bucket; the 32-bit
            // time wraps every 49 days, which a signed difference handles for gaps under 24 days.
            var delta = (int)((uint)nowMs - last);
            var elapsed = delta > 0 ? (uint)delta : 0u;
            var time = delta > 0 ? nowMs : last;
            var refilled = Math.Min(_capacity, tokens + (elapsed * _ratePerMs));
            if (refilled < Scale)
            {
                // Record the refill so far only if time moved, to keep the fraction.
                if (elapsed > 0)
                {
                    Interlocked.CompareExchange(ref _state, Pack(refilled, time), state);
                }

                return false;
            }

            if (Interlocked.CompareExchange(ref _state, Pack(refilled - Scale, time), state) == state)
            {
                return true;
            }
        }
    }

    private static long Pack(long milliTokens, long nowMs) => (milliTokens << 32) | (uint)nowMs;
}
