namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Serves Diffie-Hellman requests. <see cref="ScalarDhEngine"/> completes every request synchronously;
/// a batched engine (several exponentiations per SIMD pass) may complete <see cref="Submit"/> (sans-IO: the result
/// is posted to a sink the caller drains on its own thread) or <see cref="ExecuteAsync"/> later without changing
/// callers.
/// </summary>
public interface IDhEngine
{
    /// <summary>Performs the request now.</summary>
    DhResult Execute(in DhRequest request);

    /// <summary>Performs the request, possibly batched with others; completes synchronously by default.</summary>
    ValueTask<DhResult> ExecuteAsync(DhRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Execute(request));
    }

    /// <summary>
    /// True when <see cref="Submit"/> may defer a request (the caller then parks the exchange); false for a purely
    /// synchronous engine, whose callers can keep one scratch destination.
    /// </summary>
    bool CanDefer => false;

    /// <summary>
    /// Starts <paramref name="request"/>. Returns true when it finished now (<paramref name="result"/> holds the
    /// outcome); false when it was queued: <paramref name="sink"/> then receives the result under
    /// <paramref name="token"/>, possibly on another thread, and the request's buffers must stay alive until then.
    /// Default: synchronous.
    /// </summary>
    bool Submit(in DhRequest request, IDhCompletionSink sink, long token, out DhResult result)
    {
        result = Execute(request);
        return true;
    }
}
