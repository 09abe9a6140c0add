namespace Ike.Fast.Wire;

/// <summary>
/// Signature payload body (RFC 2408 §3.12):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                Signature Data                              ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The body is opaque to the wire layer; it must not be empty.
/// </summary>
public readonly ref struct SignaturePayload
{
    public SignaturePayload(ReadOnlySpan<byte> signatureData)
    {
        SignatureData = signatureData;
    }

    /// <summary>The signature (SIG_I / SIG_R).</summary>
    public ReadOnlySpan<byte> SignatureData { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out SignaturePayload payload, out WireFault fault)
    {
        if (body.IsEmpty)
        {
            payload = default;
            fault = new WireFault(WireError.BodyTooShort, bodyOffset);
            return false;
        }

        payload = new SignaturePayload(body);
        fault = default;
        return true;
    }
}
