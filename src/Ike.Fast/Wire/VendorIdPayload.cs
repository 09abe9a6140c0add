namespace Ike.Fast.Wire;

/// <summary>
/// Vendor ID payload body (RFC 2408 §3.16):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                Vendor ID (VID)                             ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The body is opaque to the wire layer; it must not be empty.
/// </summary>
public readonly ref struct VendorIdPayload
{
    public VendorIdPayload(ReadOnlySpan<byte> vendorId)
    {
        VendorId = vendorId;
    }

    /// <summary>The vendor identifier (usually a hash of a vendor string).</summary>
    public ReadOnlySpan<byte> VendorId { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out VendorIdPayload payload, out WireFault fault)
    {
        if (body.IsEmpty)
        {
            payload = default;
            fault = new WireFault(WireError.BodyTooShort, bodyOffset);
            return false;
        }

        payload = new VendorIdPayload(body);
        fault = default;
        return true;
    }
}
