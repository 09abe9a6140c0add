using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

/// <summary>Seeded, reproducible randomness for tests (never for production).</summary>
internal sealed class DeterministicDhRandomSource(int seed) : IDhRandomSource
{
    private readonly Random _random = new(seed);

    public int Calls { get; private set; }

    public void Fill(Span<byte> destination)
    {
        Calls++;
        _random.NextBytes(destination);
    }
}
