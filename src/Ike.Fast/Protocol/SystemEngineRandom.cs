namespace Ike.Fast.Protocol;

/// <summary><see cref="IEngineRandom"/> over the system CSPRNG (drawn in blocks: <see cref="Ike.Fast.Crypto.BufferedSystemRandom"/>).</summary>
public sealed class SystemEngineRandom : IEngineRandom
{
    /// <summary>The shared instance (thread-safe).</summary>
    public static SystemEngineRandom Instance { get; } = new();

    /// <inheritdoc/>
    public void Fill(Span<byte> destination) => Ike.Fast.Crypto.BufferedSystemRandom.Fill(destination);
}
