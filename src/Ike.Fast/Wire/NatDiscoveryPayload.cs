namespace Ike.Fast.Wire;

/// <summary>
/// NAT-D payload body (RFC 3947 §3.2):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                HASH of the address and port                ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The body is opaque to the wire layer; it must not be empty.
/// </summary>
public readonly ref struct NatDiscoveryPayload
{
    public NatDiscoveryPayload(ReadOnlySpan<byte> hash)
    {
        Hash = hash;
    }

    /// <summary>HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash.</summary>
    public ReadOnlySpan<byte> Hash { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out NatDiscoveryPayload payload, out WireFault fault)
    {
        if (body.IsEmpty)
        {
            payload = default;
            fault = new WireFault(WireError.BodyTooShort, bodyOffset);
            return false;
        }

        payload = new NatDiscoveryPayload(body);
        fault = default;
        return true;
    }
}
