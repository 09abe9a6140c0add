using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Quick Mode client identities ↔ traffic selectors (RFC 2409 §5.5: IDci/IDcr; RFC 2407 §4.6.2 ID types
/// ID_IPV4_ADDR / ID_IPV4_ADDR_SUBNET and the IPv6 forms, protocol and port in the ID header).
/// </summary>
internal static class TrafficSelectorCodec
{
    /// <summary>Selectors kept for reuse: the ones of peers that come back (1,024, not 4,096: the table cost ~400 KB, issue #7).</summary>
    private const int MaxInterned = 1024;

    /// <summary>
    /// Selectors built from received IDs and resolved <c>dynamic</c> ones, reused by value (selectors are immutable
    /// records): Quick Mode after Quick Mode with the same client IDs builds no new objects. Per thread, because
    /// endpoints run one per thread; bounded (cleared when full).
    /// </summary>
    [ThreadStatic]
    private static Dictionary<(UInt128 Address, int AddressLength, int Prefix, byte Protocol, ushort Port), TrafficSelector>? t_interned;

    /// <summary>Resolves <c>dynamic</c> to the SA's own address.</summary>
    public static TrafficSelector Resolve(TrafficSelector ts, IPAddress self)
    {
        if (!ts.IsDynamic)
        {
            return ts;
        }

        Span<byte> address = stackalloc byte[16];
        IPAddress host = Unmap(self);
        return host.TryWriteBytes(address, out int length)
            ? Intern(address[..length], length * 8, ts.Protocol, ts.Port)
            : TrafficSelector.ForHost(host) with { Protocol = ts.Protocol, Port = ts.Port };
    }

    /// <summary>The /32 or /128 selector of one address (an earlier equal one when there is one).</summary>
    public static TrafficSelector ForHost(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out int length) ? Intern(bytes[..length], length * 8, 0, 0, address) : TrafficSelector.ForHost(address);
    }

    /// <summary>
    /// The selector for an address (4 or 16 bytes), prefix, protocol and port: an earlier equal one when there is one.
    /// A new one takes <paramref name="same"/> as its network when that is the same address (the peer's own, which its
    /// endpoint already holds: host-to-host selectors then cost no second IPAddress, 40 B per SA, issue #7).
    /// </summary>
    private static TrafficSelector Intern(ReadOnlySpan<byte> address, int prefix, byte protocol, ushort port, IPAddress? same = null)
    {
        if (address.Length is not (4 or 16))
        {
            return new TrafficSelector(new IPAddress(address), prefix, protocol, port);
        }

        Span<byte> padded = stackalloc byte[16];
        padded.Clear();
        address.CopyTo(padded);
        var key = (BinaryPrimitives.ReadUInt128BigEndian(padded), address.Length, prefix, protocol, port);
        Dictionary<(UInt128, int, int, byte, ushort), TrafficSelector> interned = t_interned ??= [];
        if (!interned.TryGetValue(key, out TrafficSelector? ts))
        {
            if (interned.Count >= MaxInterned)
            {
                interned.Clear();
            }

            ts = new TrafficSelector(SameAddress(same, address) ? same! : new IPAddress(address), prefix, protocol, port);
            interned[key] = ts;
        }

        return ts;
    }

    /// <summary>True when <paramref name="candidate"/> is exactly <paramref name="address"/> (no IPv6 scope: an address read from the wire has none).</summary>
    private static bool SameAddress(IPAddress? candidate, ReadOnlySpan<byte> address)
    {
        Span<byte> bytes = stackalloc byte[16];
        return candidate is not null && (candidate.AddressFamily != AddressFamily.InterNetworkV6 || candidate.ScopeId == 0) &&
               candidate.TryWriteBytes(bytes, out int length) && bytes[..length].SequenceEqual(address);
    }

    /// <summary>Writes an ID payload body (type, protocol, port, data) for a selector; returns its length.</summary>
    public static int WriteIdBody(TrafficSelector ts, Span<byte> destination)
    {
        IPAddress net = ts.Network!;
        bool v4 = net.AddressFamily == AddressFamily.InterNetwork;
        int max = v4 ? 32 : 128;
        bool host = ts.PrefixLength == max;
        IdentificationType type = v4
            ? (host ? IdentificationType.Ipv4Address : IdentificationType.Ipv4AddressSubnet)
            : (host ? IdentificationType.Ipv6Address : IdentificationType.Ipv6AddressSubnet);
        destination[0] = (byte)type;
        destination[1] = ts.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ts.Port);
        int n = IdentificationPayload.FixedSize;
        net.TryWriteBytes(destination[n..], out int written);
        n += written;
        if (!host)
        {
            Span<byte> mask = destination.Slice(n, written);
            mask.Clear();
            for (int bit = 0; bit < ts.PrefixLength; bit++)
            {
                mask[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }

            n += written;
        }

        return n;
    }

    /// <summary>
    /// Reads a selector from an ID payload body; false for types that are not addresses/subnets. A new selector of
    /// <paramref name="peer"/>'s address takes that object as its network (see <see cref="Intern"/>).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out TrafficSelector ts, IPAddress? peer = null)
    {
        ts = TrafficSelector.Dynamic;
        if (!IdentificationPayload.TryRead(body, 0, out IdentificationPayload id, out _))
        {
            return false;
        }

        switch (id.IdType)
        {
            case IdentificationType.Ipv4Address or IdentificationType.Ipv6Address:
                ts = Intern(id.Address, id.Address.Length * 8, id.ProtocolId, id.Port, peer);
                return true;
            case IdentificationType.Ipv4AddressSubnet or IdentificationType.Ipv6AddressSubnet:
                int prefix = 0;
                ReadOnlySpan<byte> mask = id.SecondAddress;
                while (prefix < mask.Length * 8 && (mask[prefix / 8] & (0x80 >> (prefix % 8))) != 0)
                {
                    prefix++;
                }

                ts = Intern(id.Address, prefix, id.ProtocolId, id.Port);
                return true;
            default:
                return false;
        }
    }

    /// <summary>True when <paramref name="outer"/> (configuration) contains <paramref name="inner"/> (offered).</summary>
    public static bool Contains(TrafficSelector outer, TrafficSelector inner)
    {
        if (outer.Network is null || inner.Network is null || outer.Network.AddressFamily != inner.Network.AddressFamily ||
            outer.PrefixLength > inner.PrefixLength)
        {
            return false;
        }

        if ((outer.Protocol != 0 && outer.Protocol != inner.Protocol) || (outer.Port != 0 && outer.Port != inner.Port))
        {
            return false;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        outer.Network.TryWriteBytes(a, out int len);
        inner.Network.TryWriteBytes(b, out _);
        for (int bit = 0; bit < outer.PrefixLength; bit++)
        {
            int m = 0x80 >> (bit % 8);
            if ((a[bit / 8] & m) != (b[bit / 8] & m))
            {
                return false;
            }
        }

        return len > 0;
    }

    public static IPAddress Unmap(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
