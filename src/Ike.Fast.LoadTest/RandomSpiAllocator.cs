using System.Net;
using System.Security.Cryptography;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.LoadTest;

/// <summary>Inbound SPIs for the synthetic initiators: random, at least 256 (RFC 4303 §2.1 reserves 1-255); nothing is installed.</summary>
internal sealed class RandomSpiAllocator : ISpiAllocator
{
    private readonly BufferedEngineRandom? _random;

    /// <param name="random">The generator thread's buffered randomness (null: the system CSPRNG, thread-safe).</param>
    public RandomSpiAllocator(BufferedEngineRandom? random = null) => _random = random;

    public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote)
    {
        if (_random is not null)
        {
            return _random.NextSpi(256);
        }

        uint spi;
        do
        {
            spi = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) | 0x8000_0000u;
        }
        while (spi < 256);
        return spi;
    }

    public void Release(IpsecProtocol protocol, uint spi)
    {
    }
}
