using System.Threading.Tasks.Sources;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// The awaitable side of one batched ComputeShared request of <see cref="BatchedDhEngine"/>: the batcher calls
/// <see cref="OnModExpCompleted"/> on its worker thread, which copies g^xy to the request's destination and
/// completes the <see cref="ValueTask{TResult}"/> (continuations run on the thread pool, never on the worker) or,
/// for <see cref="BatchedDhEngine.Submit"/>, posts the result to the request's <see cref="IDhCompletionSink"/>.
/// Reused through the engine's free list once awaited or posted.
/// </summary>
internal sealed class ModExpDhCompletion : IModExpCompletion, IValueTaskSource<DhResult>
{
    private readonly BatchedDhEngine _engine;
    private ManualResetValueTaskSourceCore<DhResult> _core = new() { RunContinuationsAsynchronously = true };
    private Memory<byte> _destination;
    private IDhCompletionSink? _sink;
    private long _token;

    internal ModExpDhCompletion(BatchedDhEngine engine) => _engine = engine;

    /// <summary>Arms the completion for a request writing g^xy (exactly the prime length) to destination.</summary>
    internal short Prepare(Memory<byte> destination)
    {
        _destination = destination;
        return _core.Version;
    }

    /// <summary>Arms the completion for a sans-IO request: the result goes to <paramref name="sink"/> under <paramref name="token"/>.</summary>
    internal void Prepare(Memory<byte> destination, IDhCompletionSink sink, long token)
    {
        _destination = destination;
        _sink = sink;
        _token = token;
    }

    /// <summary>The request was not queued: forget the destination before the completion is reused.</summary>
    internal void Abandon()
    {
        _destination = default;
        _sink = null;
    }

    /// <inheritdoc/>
    public void OnModExpCompleted(long token, ReadOnlySpan<byte> result)
    {
        Memory<byte> destination = _destination;
        _destination = default;
        result.CopyTo(destination.Span);
        var outcome = new DhResult(DhStatus.Success, result.Length);
        if (_sink is { } sink)
        {
            // Sans-IO path: hand the result over and recycle at once (nobody awaits this completion).
            long requestToken = _token;
            _sink = null;
            _engine.Finished();
            _engine.Return(this);
            sink.OnDhCompleted(requestToken, outcome);
            return;
        }

        _core.SetResult(outcome);
    }

    /// <inheritdoc/>
    public DhResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _engine.Return(this);
        }
    }

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
