using System.Buffers.Binary;

namespace Ike.Fast.Tests.Diagnostics;

/// <summary>Builds small synthetic capture files and packets for the pcap reader tests.</summary>
internal static class PcapTestFiles
{
    public static byte[] Udp(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        return udp;
    }

    public static byte[] Ipv4(byte[] source, byte[] destination, byte protocol, ReadOnlySpan<byte> body, ushort flagsFragment = 0)
    {
        var ip = new byte[20 + body.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), flagsFragment);
        ip[8] = 64;
        ip[9] = protocol;
        source.CopyTo(ip, 12);
        destination.CopyTo(ip, 16);
        body.CopyTo(ip.AsSpan(20));
        return ip;
    }

    public static byte[] Ipv6(byte[] source, byte[] destination, byte nextHeader, ReadOnlySpan<byte> body)
    {
        var ip = new byte[40 + body.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)body.Length);
        ip[6] = nextHeader;
        ip[7] = 64;
        source.CopyTo(ip, 8);
        destination.CopyTo(ip, 24);
        body.CopyTo(ip.AsSpan(40));
        return ip;
    }

    public static byte[] Ethernet(ushort etherType, ReadOnlySpan<byte> body, int padding = 0, params ushort[] vlanTags)
    {
        var frame = new byte[14 + (vlanTags.Length * 4) + body.Length + padding];
        int offset = 12;
        foreach (ushort tag in vlanTags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tag);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), 42);
            offset += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), etherType);
        body.CopyTo(frame.AsSpan(offset + 2));
        return frame;
    }

    public static byte[] Sll(ushort protocol, ReadOnlySpan<byte> body)
    {
        var frame = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), protocol);
        body.CopyTo(frame.AsSpan(16));
        return frame;
    }

    public static byte[] Sll2(ushort protocol, ReadOnlySpan<byte> body)
    {
        var frame = new byte[20 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, protocol);
        body.CopyTo(frame.AsSpan(20));
        return frame;
    }

    /// <summary>A classic pcap file; <paramref name="frames"/> are (seconds, fraction, data).</summary>
    public static byte[] ClassicPcap(bool bigEndian, bool nanoseconds, uint linkType, params (uint Seconds, uint Fraction, byte[] Data)[] frames)
    {
        using var stream = new MemoryStream();
        uint magic = nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u;
        Write32(stream, magic, bigEndian);
        Write16(stream, 2, bigEndian);
        Write16(stream, 4, bigEndian);
        Write32(stream, 0, bigEndian);
        Write32(stream, 0, bigEndian);
        Write32(stream, 65535, bigEndian);
        Write32(stream, linkType, bigEndian);
        foreach ((uint seconds, uint fraction, byte[] data) in frames)
        {
            Write32(stream, seconds, bigEndian);
            Write32(stream, fraction, bigEndian);
            Write32(stream, (uint)data.Length, bigEndian);
            Write32(stream, (uint)data.Length, bigEndian);
            stream.Write(data);
        }

        return stream.ToArray();
    }

    /// <summary>A pcapng file with one section, one interface (optional if_tsresol) and one Enhanced Packet Block per frame.</summary>
    public static byte[] Pcapng(bool bigEndian, ushort linkType, byte? timestampResolution, params (ulong Timestamp, byte[] Data)[] frames)
    {
        using var stream = new MemoryStream();

        // Section Header Block
        var shb = new MemoryStream();
        Write32(shb, 0x1A2B3C4D, bigEndian);
        Write16(shb, 1, bigEndian);
        Write16(shb, 0, bigEndian);
        Write32(shb, 0xFFFFFFFF, bigEndian);
        Write32(shb, 0xFFFFFFFF, bigEndian);
        WriteBlock(stream, 0x0A0D0D0A, shb.ToArray(), bigEndian);

        // A name-resolution block that the reader must skip.
        WriteBlock(stream, 4, [0, 0, 0, 0], bigEndian);

        var idb = new MemoryStream();
        Write16(idb, linkType, bigEndian);
        Write16(idb, 0, bigEndian);
        Write32(idb, 0, bigEndian);
        if (timestampResolution is byte resolution)
        {
            Write16(idb, 9, bigEndian);
            Write16(idb, 1, bigEndian);
            idb.Write([resolution, 0, 0, 0]);
            Write16(idb, 0, bigEndian);
            Write16(idb, 0, bigEndian);
        }

        WriteBlock(stream, 1, idb.ToArray(), bigEndian);
        foreach ((ulong timestamp, byte[] data) in frames)
        {
            var epb = new MemoryStream();
            Write32(epb, 0, bigEndian);
            Write32(epb, (uint)(timestamp >> 32), bigEndian);
            Write32(epb, (uint)timestamp, bigEndian);
            Write32(epb, (uint)data.Length, bigEndian);
            Write32(epb, (uint)data.Length, bigEndian);
            epb.Write(data);
            while (epb.Length % 4 != 0)
            {
                epb.WriteByte(0);
            }

            WriteBlock(stream, 6, epb.ToArray(), bigEndian);
        }

        return stream.ToArray();
    }

    private static void WriteBlock(Stream stream, uint type, byte[] body, bool bigEndian)
    {
        uint total = (uint)(12 + body.Length);
        Write32(stream, type, bigEndian);
        Write32(stream, total, bigEndian);
        stream.Write(body);
        Write32(stream, total, bigEndian);
    }

    private static void Write32(Stream stream, uint value, bool bigEndian)
    {
        Span<byte> b = stackalloc byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        }

        stream.Write(b);
    }

    private static void Write16(Stream stream, ushort value, bool bigEndian)
    {
        Span<byte> b = stackalloc byte[2];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        }

        stream.Write(b);
    }
}
