namespace Ike.Fast.Protocol;

/// <summary>
/// Randomness for the engine (cookies, nonces, message IDs), injected so conversation tests are deterministic.
/// Production uses <see cref="SystemEngineRandom"/> (RandomNumberGenerator).
/// </summary>
public interface IEngineRandom
{
    /// <summary>Fills the destination with unpredictable bytes.</summary>
    void Fill(Span<byte> destination);
}
