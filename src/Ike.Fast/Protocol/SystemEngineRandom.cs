using System.Security.Cryptography;

namespace Ike.Fast.Protocol;

/// <summary><see cref="IEngineRandom"/> over the system CSPRNG.</summary>
public sealed class SystemEngineRandom : IEngineRandom
{
    /// <summary>The shared instance (thread-safe).</summary>
    public static SystemEngineRandom Instance { get; } = new();

    /// <inheritdoc/>
    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
