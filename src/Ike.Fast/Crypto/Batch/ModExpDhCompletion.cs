using System.Threading.Tasks.Sources;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// The awaitable side of one batched ComputeShared request of <see cref="BatchedDhEngine"/>: the batcher calls
/// <see cref="OnModExpCompleted"/> on its worker thread, which copies g^xy to the request's destination and
/// completes the <see cref="ValueTask{TResult}"/>; continuations run on the thread pool, never on the worker.
/// Reused through the engine's free list once awaited.
/// </summary>
internal sealed class ModExpDhCompletion : IModExpCompletion, IValueTaskSource<DhResult>
{
    private readonly BatchedDhEngine _engine;
    private ManualResetValueTaskSourceCore<DhResult> _core = new() { RunContinuationsAsynchronously = true };
    private Memory<byte> _destination;

    internal ModExpDhCompletion(BatchedDhEngine engine) => _engine = engine;

    /// <summary>Arms the completion for a request writing g^xy (exactly the prime length) to destination.</summary>
    internal short Prepare(Memory<byte> destination)
    {
        _destination = destination;
        return _core.Version;
    }

    /// <summary>The request was not queued: forget the destination before the completion is reused.</summary>
    internal void Abandon() => _destination = default;

    /// <inheritdoc/>
    public void OnModExpCompleted(long token, ReadOnlySpan<byte> result)
    {
        Memory<byte> destination = _destination;
        _destination = default;
        result.CopyTo(destination.Span);
        _core.SetResult(new DhResult(DhStatus.Success, result.Length));
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
