using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Ike.Native.Xfrm;

/// <summary>
/// An IPv4 or IPv6 address as the kernel's xfrm_address_t: 16 bytes in network order, IPv4 in the first four.
/// A value type so SA and policy parameters carry addresses without allocating.
/// </summary>
public readonly struct XfrmAddress : IEquatable<XfrmAddress>
{
    internal const int Size = 16;
    private readonly Bytes _bytes;

    private XfrmAddress(ReadOnlySpan<byte> address)
    {
        address.CopyTo(_bytes);
    }

    /// <summary>The all-zero address ("any" in selectors).</summary>
    public static XfrmAddress Any => default;

    /// <summary>An address from its 4 (IPv4) or 16 (IPv6) network-order bytes.</summary>
    public static XfrmAddress FromBytes(ReadOnlySpan<byte> address)
    {
        if (address.Length != 4 && address.Length != Size)
        {
            throw new ArgumentException("An IPv4 address has 4 bytes and an IPv6 address 16.", nameof(address));
        }

        return new XfrmAddress(address);
    }

    /// <summary>An address from an <see cref="IPAddress"/> (no allocation).</summary>
    public static XfrmAddress FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[Size];
        address.TryWriteBytes(bytes, out int written);
        return new XfrmAddress(bytes[..written]);
    }

    /// <summary>Parses a textual IPv4 or IPv6 address (configuration time; allocates).</summary>
    public static XfrmAddress Parse(string address) => FromIPAddress(IPAddress.Parse(address));

    /// <summary>Copies the 16 bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => ((ReadOnlySpan<byte>)_bytes).CopyTo(destination);

    /// <summary>The address as an <see cref="IPAddress"/> of the given family (allocates).</summary>
    public IPAddress ToIPAddress(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? new IPAddress(((ReadOnlySpan<byte>)_bytes).ToArray())
            : new IPAddress(((ReadOnlySpan<byte>)_bytes)[..4]);

    internal unsafe void WriteTo(byte* destination) => CopyTo(new Span<byte>(destination, Size));

    internal static unsafe XfrmAddress ReadFrom(byte* source) => new(new ReadOnlySpan<byte>(source, Size));

    public bool Equals(XfrmAddress other) => ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is XfrmAddress other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(XfrmAddress left, XfrmAddress right) => left.Equals(right);

    public static bool operator !=(XfrmAddress left, XfrmAddress right) => !left.Equals(right);

    [InlineArray(Size)]
    private struct Bytes
    {
        private byte _element;
    }
}
