using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// A Diffie-Hellman engine that defers every request (key pairs and shared secrets) and completes them only when the
/// test says so: some or all, in a random order, in batches, like the batched engine's worker but deterministic.
/// The work itself is <see cref="ScalarDhEngine"/>'s, done at completion time into the caller's buffers (which the
/// endpoint must therefore keep alive while the exchange is parked).
/// </summary>
internal sealed class AsyncDhDeferredEngine(IDhEngine inner) : IDhEngine
{
    private readonly List<(DhRequest Request, IDhCompletionSink Sink, long Token)> _pending = [];

    /// <summary>Requests submitted and not completed yet.</summary>
    public int Pending => _pending.Count;

    /// <summary>Requests completed so far.</summary>
    public int Completed { get; private set; }

    /// <summary>When false, <see cref="Submit"/> completes synchronously (the engine then behaves like a pool hit).</summary>
    public bool Defer { get; set; } = true;

    public bool CanDefer => true;

    public DhResult Execute(in DhRequest request) => inner.Execute(request);

    public bool Submit(in DhRequest request, IDhCompletionSink sink, long token, out DhResult result)
    {
        if (!Defer)
        {
            result = inner.Execute(request);
            return true;
        }

        _pending.Add((request, sink, token));
        result = default;
        return false;
    }

    /// <summary>Completes up to <paramref name="max"/> pending requests, chosen and ordered by <paramref name="random"/>.</summary>
    public int Complete(Random random, int max = int.MaxValue)
    {
        int n = Math.Min(max, _pending.Count);
        for (int i = 0; i < n; i++)
        {
            int pick = random.Next(_pending.Count);
            (DhRequest request, IDhCompletionSink sink, long token) = _pending[pick];
            _pending.RemoveAt(pick);
            Completed++;
            sink.OnDhCompleted(token, inner.Execute(request));
        }

        return n;
    }
}
