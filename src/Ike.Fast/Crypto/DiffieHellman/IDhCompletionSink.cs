namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Receives the results of Diffie-Hellman requests an <see cref="IDhEngine"/> deferred (see
/// <see cref="IDhEngine.Submit"/>). Called on whatever thread finished the work (a batch worker), so an
/// implementation only hands the result over (<see cref="DhCompletionQueue"/>): the owner of the request picks it
/// up on its own thread.
/// </summary>
public interface IDhCompletionSink
{
    /// <summary>The result of the request submitted with <paramref name="token"/>.</summary>
    void OnDhCompleted(long token, DhResult result);
}
