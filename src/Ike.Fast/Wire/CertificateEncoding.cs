namespace Ike.Fast.Wire;

/// <summary>Certificate encodings of CERT and CR payloads (RFC 2408 §3.9).</summary>
public enum CertificateEncoding : byte
{
    None = 0,
    Pkcs7WrappedX509 = 1,
    Pgp = 2,
    DnsSignedKey = 3,
    X509Signature = 4,
    X509KeyExchange = 5,
    KerberosTokens = 6,
    CertificateRevocationList = 7,
    AuthorityRevocationList = 8,
    SpkiCertificate = 9,
    X509Attribute = 10,
}
