namespace Ike.Fast.Wire;

/// <summary>
/// The generic payload header every ISAKMP payload starts with (RFC 2408 §3.2):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public static class GenericPayloadHeader
{
    public const int Size = 4;
    public const int NextPayloadOffset = 0;
    public const int ReservedOffset = 1;
    public const int LengthOffset = 2;
}
