namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Source of private-value randomness, injected so tests can be deterministic. Production uses
/// <see cref="SystemDhRandomSource"/> (RandomNumberGenerator). Must be safe for concurrent use if the
/// engine is shared between threads.
/// </summary>
public interface IDhRandomSource
{
    /// <summary>Fills destination with uniformly random bytes.</summary>
    void Fill(Span<byte> destination);
}
