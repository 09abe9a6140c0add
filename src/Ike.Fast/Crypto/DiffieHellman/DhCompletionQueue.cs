using System.Collections.Concurrent;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// A thread-safe mailbox of deferred Diffie-Hellman results: engines (on their worker threads) post into it, the
/// owning thread drains it (<see cref="TryDequeue"/>), so results come back to the shard that asked and no engine
/// ever calls into protocol state from another thread. <see cref="Signal"/> lets a host wake its loop when a result
/// arrives (an eventfd write, a semaphore release); it runs on the posting thread and must be cheap.
/// </summary>
public sealed class DhCompletionQueue : IDhCompletionSink
{
    private readonly ConcurrentQueue<(long Token, DhResult Result)> _results = new();

    /// <summary>Called after every posted result (null: the owner polls).</summary>
    public Action? Signal { get; set; }

    /// <summary>Results waiting to be drained.</summary>
    public int Count => _results.Count;

    /// <inheritdoc/>
    public void OnDhCompleted(long token, DhResult result)
    {
        _results.Enqueue((token, result));
        Signal?.Invoke();
    }

    /// <summary>The next result, or false when none is waiting.</summary>
    public bool TryDequeue(out long token, out DhResult result)
    {
        if (_results.TryDequeue(out (long Token, DhResult Result) item))
        {
            token = item.Token;
            result = item.Result;
            return true;
        }

        token = 0;
        result = default;
        return false;
    }
}
