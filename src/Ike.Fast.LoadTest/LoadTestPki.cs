using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.LoadTest;

/// <summary>
/// The certificates of an <c>--auth rsa</c> run (RFC 2409 §5.1, signatures with RSA keys, X.509 CERT payloads).
/// Three sources, in this order:
/// <list type="bullet">
/// <item><c>--cert/--key/--ca</c>: one peer certificate and key (PEM files) shared by every synthetic peer, and the CA
/// that signed the responder's certificate: drives a responder whose PKI already exists (the race uses the interop
/// harness's <c>a.crt</c>/<c>a.key</c>/<c>ca.crt</c>).</item>
/// <item><c>--pki DIR</c>: the CA (<c>ca.crt</c>/<c>ca.key</c>) and the responder's certificate
/// (<c>responder.crt</c>/<c>responder.key</c>) read from DIR, or created and written there on first use, so that
/// charon or pluto can be configured to trust the same CA before a <c>--target</c> run.</item>
/// <item>neither: a fresh CA in memory (the embedded responder is configured with it).</item>
/// </list>
/// With a CA key (the last two), each synthetic peer gets its own certificate (subject
/// <c>CN=peerN.loadtest.ikefast</c>) issued on first use; all of them share one RSA-2048 key pair, because a key pair
/// per peer would cost the generator ~50-100 ms each and the signature cost does not depend on which key signs.
/// </summary>
internal sealed class LoadTestPki : IDisposable
{
    private const int KeyBits = 2048;
    private const string CaSubject = "CN=IkeFast LoadTest CA, O=IkeFast LoadTest";
    private const string ResponderSubject = "CN=responder.loadtest.ikefast, O=IkeFast LoadTest";

    private readonly RSA? _caKey;
    private readonly RSA? _peerKey;
    private readonly X509Certificate2? _sharedPeer;
    private readonly Dictionary<int, X509Certificate2> _issued = [];
    private readonly Lock _lock = new();
    private readonly DateTimeOffset _notBefore = DateTimeOffset.UtcNow.AddDays(-1);

    private LoadTestPki(X509Certificate2 ca, RSA? caKey, X509Certificate2? responder, RSA? responderKey, X509Certificate2? sharedPeer)
    {
        Ca = ca;
        _caKey = caKey;
        Responder = responder;
        ResponderKey = responderKey;
        _sharedPeer = sharedPeer;
        _peerKey = sharedPeer is null ? RSA.Create(KeyBits) : null;
    }

    /// <summary>The trust anchor the peers check the responder's certificate against.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>
    /// True with <c>--cert/--key/--ca</c>: every synthetic peer has the same identity, so none may send INITIAL-CONTACT
    /// (RFC 2407 section 4.6.3.3: the receiver may delete every other SA of that identity; charon does, even with
    /// <c>unique = no</c>, and then in-flight handshakes of the other peers time out in Quick Mode).
    /// </summary>
    public bool SharedIdentity => _sharedPeer is not null;

    /// <summary>The embedded responder's certificate (null with <c>--cert/--key/--ca</c>).</summary>
    public X509Certificate2? Responder { get; }

    /// <summary>The responder certificate's private key.</summary>
    public RSA? ResponderKey { get; }

    /// <summary>Builds the PKI the options ask for (see the type's summary).</summary>
    public static LoadTestPki Create(LoadTestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CertificateFile is { } certFile)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(options.CaFile!);
            using var cert = X509CertificateLoader.LoadCertificateFromFile(certFile);
            using var key = RSA.Create();
            key.ImportFromPem(File.ReadAllText(options.KeyFile!));
            return new LoadTestPki(ca, null, null, null, cert.CopyWithPrivateKey(key));
        }

        if (options.PkiDirectory is { } dir && File.Exists(Path.Combine(dir, "ca.crt")))
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dir, "ca.crt"));
            var caKey = RSA.Create();
            caKey.ImportFromPem(File.ReadAllText(Path.Combine(dir, "ca.key")));
            var responder = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(dir, "responder.crt"));
            var responderKey = RSA.Create();
            responderKey.ImportFromPem(File.ReadAllText(Path.Combine(dir, "responder.key")));
            return new LoadTestPki(ca, caKey, responder, responderKey, null);
        }

        var created = Generate();
        if (options.PkiDirectory is { } target)
        {
            created.Export(target);
        }

        return created;
    }

    /// <summary>A fresh CA and responder certificate.</summary>
    private static LoadTestPki Generate()
    {
        var caKey = RSA.Create(KeyBits);
        var request = new CertificateRequest(CaSubject, caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
        var responderKey = RSA.Create(KeyBits);
        var responder = Issue(ca, caKey, ResponderSubject, "responder.loadtest.ikefast", responderKey.ExportSubjectPublicKeyInfo(),
            now.AddDays(-1), 1);
        return new LoadTestPki(ca, caKey, responder, responderKey, null);
    }

    /// <summary>
    /// Writes <c>ca.crt</c>, <c>ca.key</c>, <c>responder.crt</c>, <c>responder.key</c> (PEM; keys mode 0600) for a
    /// responder under test and for later <c>--pki DIR</c> runs.
    /// </summary>
    public void Export(string directory)
    {
        if (_caKey is null || Responder is null || ResponderKey is null)
        {
            throw new InvalidOperationException("Only a generated PKI (with its CA key) can be exported.");
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ca.crt"), Ca.ExportCertificatePem());
        WriteKey(Path.Combine(directory, "ca.key"), _caKey);
        File.WriteAllText(Path.Combine(directory, "responder.crt"), Responder.ExportCertificatePem());
        WriteKey(Path.Combine(directory, "responder.key"), ResponderKey);
    }

    /// <summary>Peer <paramref name="index"/>'s certificate with its private key (issued on first use, then cached).</summary>
    public X509Certificate2 PeerCertificate(int index)
    {
        if (_sharedPeer is not null)
        {
            return _sharedPeer;
        }

        lock (_lock)
        {
            if (!_issued.TryGetValue(index, out var cert))
            {
                string name = $"peer{index}.loadtest.ikefast";
                using var issued = Issue(Ca, _caKey!, $"CN={name}, O=IkeFast LoadTest", name, _peerKey!.ExportSubjectPublicKeyInfo(),
                    _notBefore, 1000L + index);
                cert = issued.CopyWithPrivateKey(_peerKey);
                _issued[index] = cert;
            }

            return cert;
        }
    }

    /// <summary>The Phase 1 identity that goes with a certificate: its subject DN (ID_DER_ASN1_DN, strongSwan's default).</summary>
    public static IkeIdentity IdentityOf(X509Certificate2 certificate) =>
        new(IdentificationType.DerAsn1Dn, certificate.SubjectName.RawData);

    private static X509Certificate2 Issue(X509Certificate2 ca, RSA caKey, string subject, string dnsName, byte[] subjectPublicKeyInfo,
        DateTimeOffset notBefore, long serial)
    {
        var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        var request = new CertificateRequest(new X500DistinguishedName(subject), publicKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        var generator = X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1);
        byte[] serialBytes = BitConverter.GetBytes(serial);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(serialBytes);
        }

        serialBytes[0] &= 0x7F; // a positive INTEGER (RFC 5280 section 4.1.2.2)
        return request.Create(ca.SubjectName, generator, notBefore, notBefore.AddYears(2), serialBytes);
    }

    private static void WriteKey(string path, RSA key)
    {
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var cert in _issued.Values)
            {
                cert.Dispose();
            }

            _issued.Clear();
        }

        _sharedPeer?.Dispose();
        _peerKey?.Dispose();
        _caKey?.Dispose();
        ResponderKey?.Dispose();
        Ca.Dispose();
        Responder?.Dispose();
    }
}
