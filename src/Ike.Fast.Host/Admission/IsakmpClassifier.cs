using System.Buffers.Binary;

namespace Ike.Fast.Host.Admission;

/// <summary>
/// Classifies an IKE datagram from its fixed header (RFC 2408 section 3.1) without parsing payloads:
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
/// A new Phase 1 is the only message with a zero responder cookie (RFC 2408 section 3.1: "MUST be zero" in the
/// first message), an Identity Protection (2) or Aggressive (4) exchange and message ID 0.
/// </summary>
public static class IsakmpClassifier
{
    public const int HeaderLength = 28;

    private const int InitiatorCookieOffset = 0;
    private const int ResponderCookieOffset = 8;
    private const int ExchangeTypeOffset = 18;
    private const int MessageIdOffset = 20;
    private const byte IdentityProtection = 2;
    private const byte Aggressive = 4;

    /// <summary><paramref name="ike"/> starts at the ISAKMP header (non-ESP marker already removed).</summary>
    public static DatagramKind Classify(ReadOnlySpan<byte> ike)
    {
        if (ike.Length < HeaderLength)
        {
            return DatagramKind.Malformed;
        }

        var exchange = ike[ExchangeTypeOffset];
        return BinaryPrimitives.ReadUInt64BigEndian(ike[ResponderCookieOffset..]) == 0
               && exchange is IdentityProtection or Aggressive
               && BinaryPrimitives.ReadUInt32BigEndian(ike[MessageIdOffset..]) == 0
            ? DatagramKind.NewPhase1
            : DatagramKind.Existing;
    }

    /// <summary>The initiator cookie (the header must be at least 8 bytes; <see cref="Classify"/> checked 28).</summary>
    public static ulong InitiatorCookie(ReadOnlySpan<byte> ike) => BinaryPrimitives.ReadUInt64BigEndian(ike[InitiatorCookieOffset..]);
}
