using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Ike.Fast.Host.Admission;

/// <summary>A source address cut to its prefix (/24 IPv4, /64 IPv6 by default), the unit of the per-prefix bound.</summary>
public readonly record struct SourcePrefix(ulong High, ulong Low, byte Family)
{
    /// <summary>Masks <paramref name="address"/> without allocating (IPAddress.TryWriteBytes into the stack).</summary>
    public static SourcePrefix Of(IPAddress address, int ipv4Prefix, int ipv6Prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            var v4 = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            var masked = ipv4Prefix <= 0 ? 0u : v4 & (uint.MaxValue << (32 - ipv4Prefix));
            return new SourcePrefix(0, masked, 4);
        }

        address.TryWriteBytes(bytes, out _);
        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        return new SourcePrefix(Mask(high, ipv6Prefix), Mask(low, ipv6Prefix - 64), 6);
    }

    private static ulong Mask(ulong value, int bits) => bits <= 0 ? 0 : bits >= 64 ? value : value & (ulong.MaxValue << (64 - bits));
}
