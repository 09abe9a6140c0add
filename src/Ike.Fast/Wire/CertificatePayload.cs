namespace Ike.Fast.Wire;

/// <summary>
/// Certificate payload body (RFC 2408 §3.9):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Cert Encoding !                                               !
/// +-+-+-+-+-+-+-+-+                                               !
/// ~                       Certificate Data                        ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct CertificatePayload
{
    public const int EncodingOffset = 0;
    public const int DataOffset = 1;

    public CertificatePayload(CertificateEncoding encoding, ReadOnlySpan<byte> data)
    {
        Encoding = encoding;
        Data = data;
    }

    public CertificateEncoding Encoding { get; }
    public ReadOnlySpan<byte> Data { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out CertificatePayload payload, out WireFault fault)
    {
        if (body.Length < DataOffset + 1)
        {
            payload = default;
            fault = new WireFault(WireError.BodyTooShort, bodyOffset + body.Length);
            return false;
        }

        payload = new CertificatePayload((CertificateEncoding)body[EncodingOffset], body[DataOffset..]);
        fault = default;
        return true;
    }
}
