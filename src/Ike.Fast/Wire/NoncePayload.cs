namespace Ike.Fast.Wire;

/// <summary>
/// Nonce payload body (RFC 2408 §3.13):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                Nonce Data                                  ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The body is opaque to the wire layer; it must not be empty.
/// </summary>
public readonly ref struct NoncePayload
{
    public NoncePayload(ReadOnlySpan<byte> nonceData)
    {
        NonceData = nonceData;
    }

    /// <summary>The nonce (RFC 2409 §5 wants 8 to 256 bytes; that is the protocol layer's check).</summary>
    public ReadOnlySpan<byte> NonceData { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out NoncePayload payload, out WireFault fault)
    {
        if (body.IsEmpty)
        {
            payload = default;
            fault = new WireFault(WireError.BodyTooShort, bodyOffset);
            return false;
        }

        payload = new NoncePayload(body);
        fault = default;
        return true;
    }
}
