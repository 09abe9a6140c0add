namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>The operating system CSPRNG (<see cref="System.Security.Cryptography.RandomNumberGenerator.Fill"/>, drawn in blocks: <see cref="BufferedSystemRandom"/>).</summary>
public sealed class SystemDhRandomSource : IDhRandomSource
{
    private SystemDhRandomSource()
    {
    }

    /// <summary>The shared instance (stateless, thread-safe).</summary>
    public static SystemDhRandomSource Instance { get; } = new();

    /// <inheritdoc/>
    public void Fill(Span<byte> destination) => Ike.Fast.Crypto.BufferedSystemRandom.Fill(destination);
}
