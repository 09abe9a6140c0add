namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Fills a buffer with cryptographically secure random bytes (production: RandomNumberGenerator.Fill), injected
/// so tests are deterministic.
/// </summary>
public delegate void RandomBytesFill(Span<byte> destination);
