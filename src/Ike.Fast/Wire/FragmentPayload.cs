using System.Buffers.Binary;

namespace Ike.Fast.Wire;

/// <summary>
/// IKE fragment payload body, type 132 (Cisco format, implemented by strongSwan and Libreswan): a message too large
/// for one datagram is cut into pieces, each sent after an ISAKMP header whose next payload is 132.
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !          Fragment ID          !  Fragment Num !     Flags     !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                         Fragment Data                         ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Fragment numbers start at 1; the fragment with <see cref="FragmentFlags.Last"/> closes the message.
/// </summary>
public readonly ref struct FragmentPayload
{
    public const int FragmentIdOffset = 0;
    public const int FragmentNumberOffset = 2;
    public const int FlagsOffset = 3;
    public const int DataOffset = 4;
    public const int FixedSize = 4;

    public FragmentPayload(ushort fragmentId, byte fragmentNumber, FragmentFlags flags, ReadOnlySpan<byte> data)
    {
        FragmentId = fragmentId;
        FragmentNumber = fragmentNumber;
        Flags = flags;
        Data = data;
    }

    public ushort FragmentId { get; }
    public byte FragmentNumber { get; }
    public FragmentFlags Flags { get; }
    public bool IsLast => (Flags & FragmentFlags.Last) != 0;
    public ReadOnlySpan<byte> Data { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out FragmentPayload payload, out WireFault fault)
    {
        payload = default;
        if (body.Length < FixedSize)
        {
            fault = new WireFault(WireError.BodyTooShort, bodyOffset + body.Length);
            return false;
        }

        if (body[FragmentNumberOffset] == 0)
        {
            fault = new WireFault(WireError.BodyLengthInvalid, bodyOffset + FragmentNumberOffset);
            return false;
        }

        payload = new FragmentPayload(BinaryPrimitives.ReadUInt16BigEndian(body), body[FragmentNumberOffset], (FragmentFlags)body[FlagsOffset], body[DataOffset..]);
        fault = default;
        return true;
    }
}
