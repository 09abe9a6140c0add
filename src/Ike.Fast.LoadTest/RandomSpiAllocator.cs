using System.Buffers.Binary;
using System.Net;
using Ike.Fast.Crypto;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.LoadTest;

/// <summary>
/// Inbound SPIs for the synthetic initiators: random with the top bit set, so never below 256 (RFC 4303 §2.1 reserves
/// 1-255); nothing is installed. Drawn from the per-thread block of <see cref="BufferedSystemRandom"/>.
/// </summary>
internal sealed class RandomSpiAllocator : ISpiAllocator
{
    public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote)
    {
        Span<byte> b = stackalloc byte[4];
        BufferedSystemRandom.Fill(b);
        return BinaryPrimitives.ReadUInt32BigEndian(b) | 0x8000_0000u;
    }

    public void Release(IpsecProtocol protocol, uint spi)
    {
    }
}
