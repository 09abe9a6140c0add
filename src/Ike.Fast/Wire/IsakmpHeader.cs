using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// The ISAKMP header (RFC 2408 §3.1):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !                          Initiator                            !
/// !                            Cookie                             !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !                          Responder                            !
/// !                            Cookie                             !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !  Next Payload ! MjVer ! MnVer ! Exchange Type !     Flags     !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !                          Message ID                           !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !                            Length                             !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Cookies are kept as big-endian-read <see cref="ulong"/>s so that comparing them is one instruction.
/// </summary>
public readonly struct IsakmpHeader
{
    public const int Size = 28;
    public const int InitiatorCookieOffset = 0;
    public const int ResponderCookieOffset = 8;
    public const int NextPayloadOffset = 16;
    public const int VersionOffset = 17;
    public const int ExchangeTypeOffset = 18;
    public const int FlagsOffset = 19;
    public const int MessageIdOffset = 20;
    public const int LengthOffset = 24;

    /// <summary>ISAKMP version 1.0 (RFC 2408 §3.1).</summary>
    public const byte SupportedMajorVersion = 1;
    public const byte SupportedMinorVersion = 0;

    public IsakmpHeader(
        ulong initiatorCookie,
        ulong responderCookie,
        PayloadType nextPayload,
        ExchangeType exchangeType,
        IsakmpFlags flags,
        uint messageId,
        uint length = 0,
        byte majorVersion = SupportedMajorVersion,
        byte minorVersion = SupportedMinorVersion)
    {
        InitiatorCookie = initiatorCookie;
        ResponderCookie = responderCookie;
        NextPayload = nextPayload;
        ExchangeType = exchangeType;
        Flags = flags;
        MessageId = messageId;
        Length = length;
        MajorVersion = majorVersion;
        MinorVersion = minorVersion;
    }

    public ulong InitiatorCookie { get; }
    public ulong ResponderCookie { get; }
    public PayloadType NextPayload { get; }
    public byte MajorVersion { get; }
    public byte MinorVersion { get; }
    public ExchangeType ExchangeType { get; }
    public IsakmpFlags Flags { get; }
    public uint MessageId { get; }

    /// <summary>Total message length, header included.</summary>
    public uint Length { get; }

    public bool IsEncrypted => (Flags & IsakmpFlags.Encryption) != 0;

    /// <summary>
    /// Reads the 28 header bytes without judging them (useful for dissectors). Fails only when
    /// <paramref name="source"/> is shorter than a header.
    /// </summary>
    public static bool TryReadUnchecked(ReadOnlySpan<byte> source, out IsakmpHeader header)
    {
        if (source.Length < Size)
        {
            header = default;
            return false;
        }

        byte version = source[VersionOffset];
        header = new IsakmpHeader(
            BinaryPrimitives.ReadUInt64BigEndian(source),
            BinaryPrimitives.ReadUInt64BigEndian(source[ResponderCookieOffset..]),
            (PayloadType)source[NextPayloadOffset],
            (ExchangeType)source[ExchangeTypeOffset],
            (IsakmpFlags)source[FlagsOffset],
            BinaryPrimitives.ReadUInt32BigEndian(source[MessageIdOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[LengthOffset..]),
            (byte)(version >> 4),
            (byte)(version & 0x0F));
        return true;
    }

    /// <summary>
    /// Reads and checks the header as RFC 2408 §5.1 asks: version, exchange type, flags, initiator cookie and the
    /// length against the datagram (<paramref name="source"/> must be exactly one ISAKMP message).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out IsakmpHeader header, out WireFault fault)
    {
        if (!TryReadUnchecked(source, out header))
        {
            fault = new WireFault(WireError.HeaderTruncated, source.Length);
            return false;
        }

        WireError error = header.Validate(source.Length, out int offset);
        fault = new WireFault(error, offset);
        return error == WireError.None;
    }

    /// <summary>The RFC 2408 §5.1 checks, in the order the RFC lists them; <paramref name="offset"/> is the
    /// offending field.</summary>
    public WireError Validate(int datagramLength, out int offset)
    {
        offset = VersionOffset;
        if (MajorVersion != SupportedMajorVersion)
        {
            return WireError.InvalidMajorVersion;
        }

        if (MinorVersion != SupportedMinorVersion)
        {
            return WireError.InvalidMinorVersion;
        }

        offset = ExchangeTypeOffset;
        if (ExchangeType == ExchangeType.None)
        {
            return WireError.InvalidExchangeType;
        }

        offset = FlagsOffset;
        if ((Flags & ~IsakmpFlags.All) != 0)
        {
            return WireError.InvalidFlags;
        }

        offset = InitiatorCookieOffset;
        if (InitiatorCookie == 0)
        {
            return WireError.InvalidCookie;
        }

        offset = LengthOffset;
        if (Length < Size)
        {
            return WireError.HeaderLengthTooSmall;
        }

        if (Length > (uint)datagramLength)
        {
            return WireError.HeaderLengthExceedsDatagram;
        }

        if (Length < (uint)datagramLength)
        {
            offset = (int)Length;
            return WireError.DatagramLongerThanHeaderLength;
        }

        offset = 0;
        return WireError.None;
    }

    /// <summary>Writes the 28 header bytes (including <see cref="Length"/> as given).</summary>
    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, InitiatorCookie);
        BinaryPrimitives.WriteUInt64BigEndian(destination[ResponderCookieOffset..], ResponderCookie);
        destination[NextPayloadOffset] = (byte)NextPayload;
        destination[VersionOffset] = (byte)((MajorVersion << 4) | (MinorVersion & 0x0F));
        destination[ExchangeTypeOffset] = (byte)ExchangeType;
        destination[FlagsOffset] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[MessageIdOffset..], MessageId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[LengthOffset..], Length);
        return true;
    }
}
