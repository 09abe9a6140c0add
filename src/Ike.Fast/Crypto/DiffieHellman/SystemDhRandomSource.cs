using System.Security.Cryptography;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>The operating system CSPRNG (<see cref="RandomNumberGenerator.Fill"/>).</summary>
public sealed class SystemDhRandomSource : IDhRandomSource
{
    private SystemDhRandomSource()
    {
    }

    /// <summary>The shared instance (stateless, thread-safe).</summary>
    public static SystemDhRandomSource Instance { get; } = new();

    /// <inheritdoc/>
    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
