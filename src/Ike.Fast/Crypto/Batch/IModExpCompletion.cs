namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// The owner of a queued exponentiation (a handshake, or the key-pair pool). Called by whoever drives the
/// <see cref="ModExpBatcher"/> (the engine's poll loop, or the <see cref="ModExpBatchWorker"/> thread).
/// </summary>
public interface IModExpCompletion
{
    /// <summary>
    /// The result for the request queued with <paramref name="token"/>: exactly the modulus length, big-endian.
    /// The span is valid only during the call (it is wiped afterwards): copy what is needed.
    /// </summary>
    void OnModExpCompleted(long token, ReadOnlySpan<byte> result);
}
