using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ike.Fast.Tests.Protocol;

/// <summary>A throw-away CA with RSA-2048 end-entity certificates (subject DN, SAN DNS + IP), built once per test run.</summary>
internal static class TestPki
{
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 A, X509Certificate2 B, X509Certificate2 OtherCa)> s_pki = new(Build);

    public static X509Certificate2 Ca => s_pki.Value.Ca;

    public static X509Certificate2 A => s_pki.Value.A;

    public static X509Certificate2 B => s_pki.Value.B;

    /// <summary>A CA that signed neither certificate.</summary>
    public static X509Certificate2 OtherCa => s_pki.Value.OtherCa;

    private static (X509Certificate2, X509Certificate2, X509Certificate2, X509Certificate2) Build()
    {
        X509Certificate2 ca = CreateCa("CN=IkeFast Test CA, O=IkeFast, C=XX");
        X509Certificate2 other = CreateCa("CN=Unrelated CA, O=Elsewhere, C=XX");
        return (ca, Issue(ca, "a", Conversation.AddressA), Issue(ca, "b", Conversation.AddressB), other);
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string side, IPAddress address)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={side}.ikefast.test, O=IkeFast Interop, C=XX", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName($"{side}.ikefast.test");
        san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        byte[] serial = [1, (byte)side[0], 2, 3];
        using X509Certificate2 cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), serial);
        return cert.CopyWithPrivateKey(key);
    }
}
