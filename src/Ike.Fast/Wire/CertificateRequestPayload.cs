namespace Ike.Fast.Wire;

/// <summary>
/// Certificate Request payload body (RFC 2408 §3.10):
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ! Next Payload  !   RESERVED    !         Payload Length        !
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// !  Cert. Type   !                                               !
/// +-+-+-+-+-+-+-+-+                                               !
/// ~                    Certificate Authority                      ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The authority may be empty ("any CA").
/// </summary>
public readonly ref struct CertificateRequestPayload
{
    public const int CertificateTypeOffset = 0;
    public const int AuthorityOffset = 1;

    public CertificateRequestPayload(CertificateEncoding certificateType, ReadOnlySpan<byte> authority)
    {
        CertificateType = certificateType;
        CertificateAuthority = authority;
    }

    public CertificateEncoding CertificateType { get; }

    /// <summary>Usually a DER-encoded distinguished name; empty means any.</summary>
    public ReadOnlySpan<byte> CertificateAuthority { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, int bodyOffset, out CertificateRequestPayload payload, out WireFault fault)
    {
        if (body.Length < AuthorityOffset)
        {
            payload = default;
            fault = new WireFault(WireError.BodyTooShort, bodyOffset);
            return false;
        }

        payload = new CertificateRequestPayload((CertificateEncoding)body[CertificateTypeOffset], body[AuthorityOffset..]);
        fault = default;
        return true;
    }
}
