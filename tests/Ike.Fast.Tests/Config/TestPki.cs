using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ike.Fast.Tests.Config;

/// <summary>A throw-away CA and end-entity certificates for sides a and b (RSA-2048), written as PEM files under pki/.</summary>
internal static class TestPki
{
    /// <remarks>.NET's subject strings are in LDAP order (most specific first): "CN=a.ikefast.test, O=IkeFast Interop,
    /// C=XX" gives the subject SEQUENCE C, O, CN, which strongSwan writes "C=XX, O=IkeFast Interop, CN=a.ikefast.test" and
    /// openssl/pki produce for the interop harness.</remarks>
    public static void Write(string directory)
    {
        var pki = Directory.CreateDirectory(Path.Combine(directory, "pki")).FullName;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=IkeFast Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=a.ikefast.test, O=IkeFast Interop, C=XX", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.Create(ca, now.AddDays(-1), now.AddYears(1), [1, 2, 3, 4]);
        File.WriteAllText(Path.Combine(pki, "ca.crt"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(pki, "a.crt"), cert.ExportCertificatePem());
        File.WriteAllText(Path.Combine(pki, "a.key"), key.ExportRSAPrivateKeyPem());
        File.WriteAllText(Path.Combine(pki, "a.pk8"), key.ExportPkcs8PrivateKeyPem());
        using var bKey = RSA.Create(2048);
        var bRequest = new CertificateRequest("CN=b.ikefast.test, O=IkeFast Interop, C=XX", bKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var bCert = bRequest.Create(ca, now.AddDays(-1), now.AddYears(1), [5, 6, 7, 8]);
        File.WriteAllText(Path.Combine(pki, "b.crt"), bCert.ExportCertificatePem());
        File.WriteAllText(Path.Combine(pki, "b.key"), bKey.ExportPkcs8PrivateKeyPem());
        using var other = RSA.Create(2048);
        File.WriteAllText(Path.Combine(pki, "other.key"), other.ExportPkcs8PrivateKeyPem());
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ec = new CertificateRequest("CN=ec.ikefast.test", ecKey, HashAlgorithmName.SHA256).CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        File.WriteAllText(Path.Combine(pki, "ec.crt"), ec.ExportCertificatePem());
        File.WriteAllText(Path.Combine(pki, "garbage.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    }

    public static string Config(string keyFile = "pki/a.key", string local = "", string remote = "") => $$"""
        {
          "connections": {
            "site": {
              "local_addrs": "192.0.2.1",
              "remote_addrs": "192.0.2.2",
              "local": { "auth": "pubkey", "certs": [ "pki/a.crt" ] {{local}} },
              "remote": { "auth": "pubkey", "id": "C=XX, O=IkeFast Interop, CN=b.ikefast.test", "cacerts": [ "pki/ca.crt" ] {{remote}} },
              "children": { "site": { "local_ts": "198.51.100.0/24", "remote_ts": "203.0.113.0/24" } }
            }
          },
          "secrets": { "private-a": { "file": "{{keyFile}}" } }
        }
        """;
}
