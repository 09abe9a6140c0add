using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>SPIs from a counter (distinct per endpoint through the base), or scripted values first.</summary>
internal sealed class CountingSpiAllocator(uint first) : ISpiAllocator
{
    private uint _next = first;

    public Queue<uint> Scripted { get; } = new();

    public List<uint> Released { get; } = [];

    public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote) =>
        Scripted.TryDequeue(out uint spi) ? spi : _next++;

    public void Release(IpsecProtocol protocol, uint spi) => Released.Add(spi);
}
