using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Ike.Fast.Protocol.Transaction;

/// <summary>
/// Virtual addresses handed out by Mode-Config from one prefix (IPv4 or IPv6), never twice at the same time: a
/// lease is released when its ISAKMP SA is deleted. The network and (IPv4) broadcast addresses are skipped.
/// Not thread-safe (one engine thread, like <see cref="Endpoint"/>); share one pool between the endpoints of one
/// thread only.
/// </summary>
public sealed class AddressPool
{
    private readonly BigInteger _first;
    private readonly BigInteger _count;
    private readonly int _byteLength;
    private readonly HashSet<BigInteger> _leased = [];
    private BigInteger _next;

    /// <summary>A pool of <paramref name="prefix"/> (e.g. 10.3.0.0/24 or fd00::/120).</summary>
    public AddressPool(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int slash = prefix.IndexOf('/', StringComparison.Ordinal);
        IPAddress network = IPAddress.Parse(slash < 0 ? prefix : prefix[..slash]);
        _byteLength = network.AddressFamily == AddressFamily.InterNetwork ? 4 : 16;
        int bits = _byteLength * 8;
        int length = slash < 0 ? bits : int.Parse(prefix[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (length < 0 || length > bits)
        {
            throw new FormatException($"bad prefix length in '{prefix}'");
        }

        BigInteger size = BigInteger.One << (bits - length);
        BigInteger start = ToNumber(network) & ~(size - 1);
        bool skipEnds = _byteLength == 4 && size > 2;
        _first = skipEnds ? start + 1 : start;
        _count = skipEnds ? size - 2 : size;
        Family = network.AddressFamily;
        Prefix = prefix;
    }

    /// <summary>IPv4 or IPv6.</summary>
    public AddressFamily Family { get; }

    /// <summary>The configured prefix.</summary>
    public string Prefix { get; }

    /// <summary>Addresses currently leased.</summary>
    public int Leased => _leased.Count;

    /// <summary>Leases a free address; false when the pool is exhausted.</summary>
    public bool TryAllocate(out IPAddress? address)
    {
        for (BigInteger i = 0; i < _count; i++)
        {
            BigInteger candidate = _first + ((_next + i) % _count);
            if (_leased.Add(candidate))
            {
                _next = (_next + i + 1) % _count;
                address = FromNumber(candidate);
                return true;
            }
        }

        address = null;
        return false;
    }

    /// <summary>Returns a lease (unknown addresses are ignored).</summary>
    public void Release(IPAddress address) => _leased.Remove(ToNumber(address));

    private static BigInteger ToNumber(IPAddress a) => new(a.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private IPAddress FromNumber(BigInteger n)
    {
        byte[] bytes = new byte[_byteLength];
        n.TryWriteBytes(bytes, out int written, isUnsigned: true, isBigEndian: true);
        if (written < _byteLength)
        {
            Array.Copy(bytes, 0, bytes, _byteLength - written, written);
            Array.Clear(bytes, 0, _byteLength - written);
        }

        return new IPAddress(bytes);
    }
}
