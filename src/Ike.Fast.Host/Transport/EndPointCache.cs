using System.Buffers.Binary;
using System.Net;
using Ike.Native.Udp;

namespace Ike.Fast.Host.Transport;

/// <summary>
/// Turns the address bytes of a received datagram into an <see cref="IPEndPoint"/> the engine can key on, without an
/// allocation for a peer seen before: a steady-state datagram costs a dictionary lookup, not two IPAddress and two
/// IPEndPoint objects. Bounded: at <see cref="MaxEntries"/> distinct endpoints it starts over (a flood of spoofed
/// sources then allocates, which is what the admission gate is for). One thread only.
/// </summary>
internal sealed class EndPointCache
{
    public const int MaxEntries = 65536;

    private readonly Dictionary<Key, IPEndPoint> _endPoints = [];

    public IPEndPoint Get(ref UdpSlot.AddressBytes address, int family, int port, uint scopeId)
    {
        ReadOnlySpan<byte> bytes = address;
        var key = family == 6
            ? new Key(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), (ushort)port, 6, scopeId)
            : new Key(0, BinaryPrimitives.ReadUInt32BigEndian(bytes), (ushort)port, 4, 0);
        if (_endPoints.TryGetValue(key, out var endPoint))
        {
            return endPoint;
        }

        if (_endPoints.Count >= MaxEntries)
        {
            _endPoints.Clear();
        }

        var ip = family == 6 ? new IPAddress(bytes[..16], scopeId) : new IPAddress(bytes[..4]);
        endPoint = new IPEndPoint(ip, port);
        _endPoints[key] = endPoint;
        return endPoint;
    }

    private readonly record struct Key(ulong High, ulong Low, ushort Port, byte Family, uint Scope);
}
