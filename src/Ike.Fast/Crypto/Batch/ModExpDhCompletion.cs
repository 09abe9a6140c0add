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
    private int _curveLength;
    private DhGroup? _keyGroup;
    private byte[]? _keyScalar;

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
        _curveLength = 0;
        _keyGroup = null;
        _keyScalar = null;
    }

    /// <summary>
    /// Arms the completion for a curve lane (sans-IO): the first <paramref name="curveLength"/> result bytes are the
    /// x/u-coordinate (all zeros: a rejected peer point). With <paramref name="keyScalar"/> it is a key pair: the
    /// coordinate is our public value and the key is built from the scalar.
    /// </summary>
    internal void PrepareCurve(Memory<byte> destination, IDhCompletionSink sink, long token, int curveLength, DhGroup? keyGroup, byte[]? keyScalar)
    {
        Prepare(destination, sink, token);
        _curveLength = curveLength;
        _keyGroup = keyGroup;
        _keyScalar = keyScalar;
    }

    /// <summary>
    /// Arms the completion for a MODP key pair computed in a batch lane (sans-IO): the result is g^x, our public value,
    /// and the key is built from <paramref name="exponent"/> (kept here; the batcher wipes its own copy).
    /// </summary>
    internal void PrepareModpKey(Memory<byte> destination, IDhCompletionSink sink, long token, DhGroup group, byte[] exponent)
    {
        Prepare(destination, sink, token);
        _keyGroup = group;
        _keyScalar = exponent;
    }

    /// <summary>The request was not queued: forget the destination before the completion is reused.</summary>
    internal void Abandon()
    {
        _destination = default;
        _sink = null;
        _keyGroup = null;
        if (_keyScalar is not null)
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(_keyScalar);
            _keyScalar = null;
        }
    }

    /// <inheritdoc/>
    public void OnModExpCompleted(long token, ReadOnlySpan<byte> result)
    {
        Memory<byte> destination = _destination;
        _destination = default;
        DhResult outcome;
        if (_curveLength > 0)
        {
            outcome = CurveOutcome(result[.._curveLength], destination.Span);
        }
        else
        {
            result.CopyTo(destination.Span);
            if (_keyGroup is { } group && _keyScalar is { } exponent)
            {
                _keyGroup = null;
                _keyScalar = null;
                outcome = new DhResult(DhStatus.Success, result.Length, DhPrivateKey.ForModp(group, exponent, result.ToArray()));
            }
            else
            {
                outcome = new DhResult(DhStatus.Success, result.Length);
            }
        }

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

    /// <summary>
    /// A curve lane's result: zeros mean the kernel rejected the peer point (off the curve, infinity, or a low-order
    /// X25519 point: RFC 7748 §6.1, RFC 5903 §7) and map to INVALID-KEY-INFORMATION. Checked in constant time.
    /// </summary>
    private DhResult CurveOutcome(ReadOnlySpan<byte> coordinate, Span<byte> destination)
    {
        int acc = 0;
        foreach (byte b in coordinate)
        {
            acc |= b;
        }

        byte[]? scalar = _keyScalar;
        DhGroup? group = _keyGroup;
        _keyScalar = null;
        _keyGroup = null;
        if (acc == 0)
        {
            if (scalar is not null)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(scalar);
            }

            return new DhResult(DhStatus.InvalidKeyInformation);
        }

        coordinate.CopyTo(destination);
        return scalar is null
            ? new DhResult(DhStatus.Success, coordinate.Length)
            : new DhResult(DhStatus.Success, coordinate.Length, DhPrivateKey.ForScalar(group!, scalar, coordinate.ToArray()));
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
