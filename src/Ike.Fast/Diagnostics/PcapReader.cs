using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// Reads packet records from a capture file held in memory: classic libpcap files (both byte orders,
/// microsecond and nanosecond magic) and pcapng (Section Header, Interface Description, Enhanced, Simple and
/// obsolete Packet blocks; other blocks are skipped). Never throws on malformed input: <see cref="TryReadNext"/>
/// returns false and <see cref="Error"/> says why (<see cref="PcapError.None"/> at a clean end of file).
/// </summary>
/// <remarks>
/// Formats: libpcap "pcap-savefile" (tcpdump.org) and draft-ietf-opsawg-pcapng. Records are slices of the
/// input; nothing is allocated.
/// </remarks>
public ref struct PcapReader
{
    // Classic pcap global header (24 bytes):
    //   magic(4) version_major(2) version_minor(2) thiszone(4) sigfigs(4) snaplen(4) linktype(4)
    private const int ClassicHeaderLength = 24;
    private const int ClassicLinkTypeOffset = 20;

    // Classic pcap record header (16 bytes): ts_sec(4) ts_frac(4) incl_len(4) orig_len(4)
    private const int ClassicRecordHeaderLength = 16;

    private const uint MagicMicroseconds = 0xA1B2C3D4;
    private const uint MagicNanoseconds = 0xA1B23C4D;

    // pcapng: every block is type(4) total_length(4) body total_length(4).
    private const uint SectionHeaderBlockType = 0x0A0D0D0A;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const uint InterfaceDescriptionBlockType = 1;
    private const uint ObsoletePacketBlockType = 2;
    private const uint SimplePacketBlockType = 3;
    private const uint EnhancedPacketBlockType = 6;
    private const int BlockOverhead = 12;
    private const ushort OptionEndOfOptions = 0;
    private const ushort OptionInterfaceTimestampResolution = 9;

    // The link type field's low 16 bits are the LINKTYPE_ value; the upper bits carry FCS information.
    private const uint LinkTypeMask = 0xFFFF;

    // 9999-12-31T23:59:59Z, the last second a DateTimeOffset can hold.
    private const long MaxUnixSeconds = 253_402_300_799;

    private readonly ReadOnlySpan<byte> _file;
    private readonly bool _pcapng;
    private int _offset;
    private bool _bigEndian;
    private readonly bool _nanoseconds;
    private readonly PcapLinkType _classicLinkType;
    private int _frameNumber;
    private int _interfaceCount;
    private InterfaceTable _interfaces;

    private PcapReader(ReadOnlySpan<byte> file, bool pcapng, bool bigEndian, bool nanoseconds, PcapLinkType linkType, int offset)
    {
        _file = file;
        _pcapng = pcapng;
        _bigEndian = bigEndian;
        _nanoseconds = nanoseconds;
        _classicLinkType = linkType;
        _offset = offset;
        _frameNumber = 0;
        _interfaceCount = 0;
        _interfaces = default;
        Error = PcapError.None;
    }

    /// <summary>The maximum number of pcapng interfaces per section this reader tracks.</summary>
    public const int MaxInterfaces = 16;

    /// <summary>Why the last <see cref="TryReadNext"/> returned false (<see cref="PcapError.None"/> at end of file).</summary>
    public PcapError Error { get; private set; }

    /// <summary>True for a pcapng file, false for a classic pcap file.</summary>
    public readonly bool IsPcapng => _pcapng;

    /// <summary>Recognises the file format from its first block and positions the reader on the first record.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> file, out PcapReader reader, out PcapError error)
    {
        reader = default;
        if (file.Length < 4)
        {
            error = PcapError.TruncatedFileHeader;
            return false;
        }

        uint magicLittle = BinaryPrimitives.ReadUInt32LittleEndian(file);
        uint magicBig = BinaryPrimitives.ReadUInt32BigEndian(file);
        if (magicLittle == SectionHeaderBlockType)
        {
            // The Section Header Block is parsed by TryReadNext like any other block (a file may hold several
            // sections, each with its own byte order).
            if (file.Length < BlockOverhead + 4)
            {
                error = PcapError.TruncatedFileHeader;
                return false;
            }

            reader = new PcapReader(file, pcapng: true, bigEndian: false, nanoseconds: false, PcapLinkType.Null, offset: 0);
            error = PcapError.None;
            return true;
        }

        bool bigEndian;
        bool nanoseconds;
        if (magicLittle is MagicMicroseconds or MagicNanoseconds)
        {
            bigEndian = false;
            nanoseconds = magicLittle == MagicNanoseconds;
        }
        else if (magicBig is MagicMicroseconds or MagicNanoseconds)
        {
            bigEndian = true;
            nanoseconds = magicBig == MagicNanoseconds;
        }
        else
        {
            error = PcapError.UnknownMagic;
            return false;
        }

        if (file.Length < ClassicHeaderLength)
        {
            error = PcapError.TruncatedFileHeader;
            return false;
        }

        uint linkType = ReadUInt32(file[ClassicLinkTypeOffset..], bigEndian) & LinkTypeMask;
        reader = new PcapReader(file, pcapng: false, bigEndian, nanoseconds, (PcapLinkType)linkType, ClassicHeaderLength);
        error = PcapError.None;
        return true;
    }

    /// <summary>Reads the next packet record; false at the end of the file or on malformed input (see <see cref="Error"/>).</summary>
    public bool TryReadNext(out PcapRecord record)
    {
        record = default;
        if (Error != PcapError.None)
        {
            return false;
        }

        return _pcapng ? TryReadNextBlock(out record) : TryReadNextClassic(out record);
    }

    private bool TryReadNextClassic(out PcapRecord record)
    {
        record = default;
        ReadOnlySpan<byte> rest = _file[_offset..];
        if (rest.IsEmpty)
        {
            return false;
        }

        if (rest.Length < ClassicRecordHeaderLength)
        {
            return Fail(PcapError.TruncatedRecordHeader);
        }

        uint seconds = ReadUInt32(rest, _bigEndian);
        uint fraction = ReadUInt32(rest[4..], _bigEndian);
        uint capturedLength = ReadUInt32(rest[8..], _bigEndian);
        uint originalLength = ReadUInt32(rest[12..], _bigEndian);
        if (capturedLength > (uint)(rest.Length - ClassicRecordHeaderLength))
        {
            return Fail(PcapError.TruncatedRecordData);
        }

        // Microsecond files store µs; scale to ns. A malformed fraction >= 1 s is clamped rather than rejected.
        long nanoseconds = _nanoseconds ? fraction : fraction * 1000L;
        nanoseconds = Math.Min(nanoseconds, 999_999_999L);
        _offset += ClassicRecordHeaderLength + (int)capturedLength;
        _frameNumber++;
        record = new PcapRecord(_frameNumber, seconds, (int)nanoseconds, _classicLinkType, originalLength,
            rest.Slice(ClassicRecordHeaderLength, (int)capturedLength));
        return true;
    }

    private bool TryReadNextBlock(out PcapRecord record)
    {
        record = default;
        while (true)
        {
            ReadOnlySpan<byte> rest = _file[_offset..];
            if (rest.IsEmpty)
            {
                return false;
            }

            if (rest.Length < BlockOverhead)
            {
                return Fail(PcapError.TruncatedRecordHeader);
            }

            uint blockType = ReadUInt32(rest, _bigEndian);
            if (blockType == SectionHeaderBlockType)
            {
                // The byte-order magic follows the length; it decides how to read everything in this section,
                // including this block's own length.
                uint magic = BinaryPrimitives.ReadUInt32LittleEndian(rest[8..]);
                if (magic == ByteOrderMagic)
                {
                    _bigEndian = false;
                }
                else if (BinaryPrimitives.ReverseEndianness(magic) == ByteOrderMagic)
                {
                    _bigEndian = true;
                }
                else
                {
                    return Fail(PcapError.UnknownMagic);
                }

                _interfaceCount = 0;
            }

            uint totalLength = ReadUInt32(rest[4..], _bigEndian);
            if (totalLength < BlockOverhead || totalLength % 4 != 0)
            {
                return Fail(PcapError.InvalidBlockLength);
            }

            if (totalLength > (uint)rest.Length)
            {
                return Fail(PcapError.TruncatedRecordData);
            }

            if (ReadUInt32(rest[((int)totalLength - 4)..], _bigEndian) != totalLength)
            {
                return Fail(PcapError.InvalidBlockLength);
            }

            ReadOnlySpan<byte> body = rest[8..((int)totalLength - 4)];
            _offset += (int)totalLength;
            switch (blockType)
            {
                case InterfaceDescriptionBlockType:
                    if (!TryAddInterface(body))
                    {
                        return false;
                    }

                    break;
                case EnhancedPacketBlockType:
                    return TryReadEnhancedPacket(body, interfaceIdLength: 4, out record);
                case ObsoletePacketBlockType:
                    // Same layout as an Enhanced Packet Block except a 2-byte interface id and a 2-byte drop count.
                    return TryReadEnhancedPacket(body, interfaceIdLength: 2, out record);
                case SimplePacketBlockType:
                    return TryReadSimplePacket(body, out record);
                default:
                    // Section headers, name resolution, statistics, custom blocks: nothing to extract.
                    break;
            }
        }
    }

    private bool TryAddInterface(ReadOnlySpan<byte> body)
    {
        // link_type(2) reserved(2) snaplen(4) options...
        const int FixedLength = 8;
        if (body.Length < FixedLength)
        {
            return Fail(PcapError.InvalidBlockLength);
        }

        if (_interfaceCount == MaxInterfaces)
        {
            return Fail(PcapError.TooManyInterfaces);
        }

        ushort linkType = ReadUInt16(body, _bigEndian);
        byte resolution = 6; // default if_tsresol: microseconds
        ReadOnlySpan<byte> options = body[FixedLength..];
        while (options.Length >= 4)
        {
            ushort code = ReadUInt16(options, _bigEndian);
            ushort length = ReadUInt16(options[2..], _bigEndian);
            if (code == OptionEndOfOptions)
            {
                break;
            }

            int padded = 4 + ((length + 3) & ~3);
            if (padded > options.Length)
            {
                break; // a damaged option list only loses the options, not the interface
            }

            if (code == OptionInterfaceTimestampResolution && length >= 1)
            {
                resolution = options[4];
            }

            options = options[padded..];
        }

        _interfaces[_interfaceCount] = new InterfaceInfo((PcapLinkType)linkType, resolution);
        _interfaceCount++;
        return true;
    }

    private bool TryReadEnhancedPacket(ReadOnlySpan<byte> body, int interfaceIdLength, out PcapRecord record)
    {
        // EPB: interface_id(4) ts_high(4) ts_low(4) captured_len(4) original_len(4) data options...
        // obsolete PB: interface_id(2) drops(2) ts_high(4) ts_low(4) captured_len(4) original_len(4) data...
        const int FixedLength = 20;
        record = default;
        if (body.Length < FixedLength)
        {
            return Fail(PcapError.InvalidBlockLength);
        }

        uint interfaceId = interfaceIdLength == 4 ? ReadUInt32(body, _bigEndian) : ReadUInt16(body, _bigEndian);
        if (interfaceId >= (uint)_interfaceCount)
        {
            return Fail(PcapError.UnknownInterface);
        }

        ulong timestamp = ((ulong)ReadUInt32(body[4..], _bigEndian) << 32) | ReadUInt32(body[8..], _bigEndian);
        uint capturedLength = ReadUInt32(body[12..], _bigEndian);
        uint originalLength = ReadUInt32(body[16..], _bigEndian);
        if (capturedLength > (uint)(body.Length - FixedLength))
        {
            return Fail(PcapError.TruncatedRecordData);
        }

        InterfaceInfo info = _interfaces[(int)interfaceId];
        (long seconds, int nanoseconds) = SplitTimestamp(timestamp, info.TimestampResolution);
        _frameNumber++;
        record = new PcapRecord(_frameNumber, seconds, nanoseconds, info.LinkType, originalLength,
            body.Slice(FixedLength, (int)capturedLength));
        return true;
    }

    private bool TryReadSimplePacket(ReadOnlySpan<byte> body, out PcapRecord record)
    {
        // SPB: original_len(4) data; belongs to interface 0, has no timestamp; captured length is implied by
        // the block length.
        record = default;
        if (body.Length < 4)
        {
            return Fail(PcapError.InvalidBlockLength);
        }

        if (_interfaceCount == 0)
        {
            return Fail(PcapError.UnknownInterface);
        }

        uint originalLength = ReadUInt32(body, _bigEndian);
        int capturedLength = (int)Math.Min(originalLength, (uint)(body.Length - 4));
        _frameNumber++;
        record = new PcapRecord(_frameNumber, 0, 0, _interfaces[0].LinkType, originalLength, body.Slice(4, capturedLength));
        return true;
    }

    /// <summary>Splits a pcapng timestamp into Unix seconds and nanoseconds given if_tsresol.</summary>
    internal static (long Seconds, int Nanoseconds) SplitTimestamp(ulong units, byte resolution)
    {
        // if_tsresol: MSB clear = 10^-n s per unit, MSB set = 2^-n s per unit. Absurd resolutions are clamped
        // to what 64 bits can express.
        int exponent = resolution & 0x7F;
        UInt128 unitsPerSecond;
        if ((resolution & 0x80) == 0)
        {
            unitsPerSecond = 1;
            for (int i = 0; i < Math.Min(exponent, 19); i++)
            {
                unitsPerSecond *= 10;
            }
        }
        else
        {
            unitsPerSecond = UInt128.One << Math.Min(exponent, 63);
        }

        UInt128 seconds = units / unitsPerSecond;
        UInt128 remainder = units % unitsPerSecond;
        var nanoseconds = (int)(remainder * 1_000_000_000 / unitsPerSecond);

        // Keep the result representable as a DateTimeOffset so PcapRecord.Timestamp can never throw.
        UInt128 max = (UInt128)MaxUnixSeconds;
        return seconds > max ? (MaxUnixSeconds, nanoseconds) : ((long)seconds, nanoseconds);
    }

    private bool Fail(PcapError error)
    {
        Error = error;
        return false;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> source, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(source) : BinaryPrimitives.ReadUInt32LittleEndian(source);

    private static ushort ReadUInt16(ReadOnlySpan<byte> source, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source);

    private readonly record struct InterfaceInfo(PcapLinkType LinkType, byte TimestampResolution);

    [InlineArray(MaxInterfaces)]
    private struct InterfaceTable
    {
        private InterfaceInfo _element0;
    }
}
