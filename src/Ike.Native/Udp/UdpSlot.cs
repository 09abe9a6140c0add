using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ike.Native.Udp;

/// <summary>
/// One datagram of a batch, laid out as <c>ikefast_udp_slot</c> (native/include/ikefast_udp.h, 64 bytes). Addresses
/// are in network byte order (IPv4 in the first four bytes), ports in host order. <see cref="Buffer"/> points into
/// memory the caller keeps pinned (the host's slabs are allocated pinned).
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
public unsafe struct UdpSlot
{
    public byte* Buffer;
    public int Capacity;
    public int Length;
    public AddressBytes Local;
    public AddressBytes Remote;
    public ushort LocalPort;
    public ushort RemotePort;

    /// <summary>4 or 6.</summary>
    public ushort Family;

    /// <summary>Receive: 1 when the datagram was larger than <see cref="Capacity"/> (truncated).</summary>
    public ushort Flags;
    public uint ScopeId;
    private readonly uint _reserved;

    /// <summary>16 address bytes inline (no array, no allocation).</summary>
    [InlineArray(16)]
    public struct AddressBytes
    {
        private byte _element;
    }
}
