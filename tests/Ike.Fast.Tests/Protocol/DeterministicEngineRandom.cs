using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Seeded randomness for reproducible conversations; scripted byte strings are served first (KATs).</summary>
internal sealed class DeterministicEngineRandom(int seed) : IEngineRandom
{
    private readonly Random _random = new(seed);
    private readonly Queue<byte[]> _scripted = new();

    public DeterministicEngineRandom Then(byte[] value)
    {
        _scripted.Enqueue(value);
        return this;
    }

    public void Fill(Span<byte> destination)
    {
        if (_scripted.TryDequeue(out byte[]? next))
        {
            Assert.Equal(next.Length, destination.Length);
            next.CopyTo(destination);
            return;
        }

        _random.NextBytes(destination);
    }
}
