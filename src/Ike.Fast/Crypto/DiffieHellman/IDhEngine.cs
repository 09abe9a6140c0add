namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Serves Diffie-Hellman requests. <see cref="ScalarDhEngine"/> completes every request synchronously;
/// a batched engine (several exponentiations per SIMD pass) may complete <see cref="ExecuteAsync"/> later
/// without changing callers.
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
}
