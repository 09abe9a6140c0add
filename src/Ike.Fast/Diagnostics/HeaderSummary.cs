using System.Buffers.Binary;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// The ISAKMP header fields (RFC 2408 section 3.1) as the formatter shows them, read without validation so a
/// malformed message can still be displayed. Offsets follow the RFC diagram (28 bytes).
/// </summary>
internal readonly record struct HeaderSummary(
    ulong InitiatorCookie,
    ulong ResponderCookie,
    byte NextPayload,
    byte MajorVersion,
    byte MinorVersion,
    byte ExchangeType,
    byte Flags,
    uint MessageId,
    uint Length)
{
    public const int Size = 28;
    private const int ResponderCookieOffset = 8;
    private const int NextPayloadOffset = 16;
    private const int VersionOffset = 17;
    private const int ExchangeTypeOffset = 18;
    private const int FlagsOffset = 19;
    private const int MessageIdOffset = 20;
    private const int LengthOffset = 24;

    /// <summary>The E (encryption) flag, RFC 2408 section 3.1.</summary>
    public const byte EncryptionFlag = 0x01;

    public bool IsEncrypted => (Flags & EncryptionFlag) != 0;

    public static bool TryRead(ReadOnlySpan<byte> message, out HeaderSummary header)
    {
        if (message.Length < Size)
        {
            header = default;
            return false;
        }

        header = new HeaderSummary(
            BinaryPrimitives.ReadUInt64BigEndian(message),
            BinaryPrimitives.ReadUInt64BigEndian(message[ResponderCookieOffset..]),
            message[NextPayloadOffset],
            (byte)(message[VersionOffset] >> 4),
            (byte)(message[VersionOffset] & 0x0F),
            message[ExchangeTypeOffset],
            message[FlagsOffset],
            BinaryPrimitives.ReadUInt32BigEndian(message[MessageIdOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(message[LengthOffset..]));
        return true;
    }
}
