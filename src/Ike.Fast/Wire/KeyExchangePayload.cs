namespace Ike.Fast.Wire;

/// <summary>
/// Key Exchange payload body (RFC 2408 §3.7):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                Key Exchange Data                           ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The body is opaque to the wire layer; it must not be empty.
/// </summary>
public readonly ref struct KeyExchangePayload
{
    public KeyExchangePayload(ReadOnlySpan<byte> keyExchangeData)
    {
        KeyExchangeData = keyExchangeData;
    }

    /// <summary>The Diffie-Hellman public value (g^x), left-padded to the group's size (RFC 2409 §5).</summary>
    public ReadOnlySpan<byte> KeyExchangeData { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out KeyExchangePayload payload, out WireFault fault)
    {
        if (body.IsEmpty)
        {
            payload = default;
            fault = new WireFault(WireError.BodyTooShort, bodyOffset);
            return false;
        }

        payload = new KeyExchangePayload(body);
        fault = default;
        return true;
    }
}
