using System.Net;
using System.Security.Cryptography;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.LoadTest;

/// <summary>Inbound SPIs for the synthetic initiators: random, at least 256 (RFC 4303 §2.1 reserves 1-255); nothing is installed.</summary>
internal sealed class RandomSpiAllocator : ISpiAllocator
{
    public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote)
    {
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
