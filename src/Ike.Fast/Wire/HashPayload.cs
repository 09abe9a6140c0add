namespace Ike.Fast.Wire;

/// <summary>
/// Hash payload body (RFC 2408 §3.11):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                Hash Data                                   ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The body is opaque to the wire layer; it must not be empty.
/// </summary>
public readonly ref struct HashPayload
{
    public HashPayload(ReadOnlySpan<byte> hashData)
    {
        HashData = hashData;
    }

    /// <summary>The prf/hash output (HASH_I, HASH_R, HASH(1..3)).</summary>
    public ReadOnlySpan<byte> HashData { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out HashPayload payload, out WireFault fault)
    {
        if (body.IsEmpty)
        {
            payload = default;
            fault = new WireFault(WireError.BodyTooShort, bodyOffset);
            return false;
        }

        payload = new HashPayload(body);
        fault = default;
        return true;
    }
}
