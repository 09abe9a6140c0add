using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Checks a peer's certificate for public-key authentication (RFC 2409 §5.1, RFC 4945 §3): the chain (CERT payloads:
/// end entity first, then intermediates) must lead to one of the configured CAs (custom trust store, no system
/// roots, no revocation fetching: the engine does no I/O), and the Phase 1 ID must be bound to the certificate:
/// ID_DER_ASN1_DN = the subject, ID_FQDN / ID_USER_FQDN / ID_IPV4_ADDR / ID_IPV6_ADDR = a subjectAltName entry.
/// </summary>
internal static class PeerCertificateValidator
{
    public static bool TryValidate(IReadOnlyList<X509Certificate2> trustAnchors, X509Certificate2 endEntity,
        IReadOnlyList<X509Certificate2> intermediates, DateTime verificationTime, out string error) =>
        TryValidate(trustAnchors, endEntity, intermediates, verificationTime, out error, out _, out _);

    /// <summary>
    /// As above, and on success the window in which the same chain validates again under the same anchors and policy
    /// (<paramref name="notBefore"/>: the latest notBefore of its elements, <paramref name="notAfter"/>: the earliest
    /// notAfter), which is what <see cref="PeerCertificateCache"/> keeps.
    /// </summary>
    public static bool TryValidate(IReadOnlyList<X509Certificate2> trustAnchors, X509Certificate2 endEntity,
        IReadOnlyList<X509Certificate2> intermediates, DateTime verificationTime, out string error, out DateTime notBefore,
        out DateTime notAfter)
    {
        notBefore = DateTime.MaxValue;
        notAfter = DateTime.MinValue;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = verificationTime;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        foreach (X509Certificate2 ca in trustAnchors)
        {
            chain.ChainPolicy.CustomTrustStore.Add(ca);
        }

        foreach (X509Certificate2 i in intermediates)
        {
            chain.ChainPolicy.ExtraStore.Add(i);
        }

        if (trustAnchors.Count == 0)
        {
            error = "no CA configured for the peer";
            return false;
        }

        if (!chain.Build(endEntity))
        {
            var sb = new StringBuilder("certificate chain does not validate:");
            foreach (X509ChainStatus s in chain.ChainStatus)
            {
                sb.Append(' ').Append(s.Status);
            }

            error = sb.ToString();
            return false;
        }

        notBefore = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
        notAfter = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);
        foreach (X509ChainElement element in chain.ChainElements)
        {
            DateTime from = element.Certificate.NotBefore.ToUniversalTime();
            DateTime to = element.Certificate.NotAfter.ToUniversalTime();
            notBefore = from > notBefore ? from : notBefore;
            notAfter = to < notAfter ? to : notAfter;
        }

        error = "";
        return true;
    }

    /// <summary>True when the ID payload names the certificate's subject or one of its subjectAltNames.</summary>
    public static bool IdentityMatches(X509Certificate2 certificate, IdentificationType type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case IdentificationType.DerAsn1Dn:
                if (data.SequenceEqual(certificate.SubjectName.RawData))
                {
                    return true;
                }

                try
                {
                    return new X500DistinguishedName(data.ToArray()).Decode(X500DistinguishedNameFlags.None) ==
                        certificate.SubjectName.Decode(X500DistinguishedNameFlags.None);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    return false;
                }

            case IdentificationType.Fqdn or IdentificationType.UserFqdn or IdentificationType.Ipv4Address or IdentificationType.Ipv6Address:
                foreach (X509Extension e in certificate.Extensions)
                {
                    if (e is X509SubjectAlternativeNameExtension san)
                    {
                        if (type == IdentificationType.Fqdn)
                        {
                            string name = Encoding.ASCII.GetString(data);
                            foreach (string dns in san.EnumerateDnsNames())
                            {
                                if (string.Equals(dns, name, StringComparison.OrdinalIgnoreCase))
                                {
                                    return true;
                                }
                            }
                        }
                        else if (type != IdentificationType.UserFqdn)
                        {
                            var address = new IPAddress(data);
                            foreach (IPAddress a in san.EnumerateIPAddresses())
                            {
                                if (a.Equals(address))
                                {
                                    return true;
                                }
                            }
                        }
                    }
                }

                // RFC 822 names are not enumerable through the public API: fall back to the subject's e-mail.
                return type == IdentificationType.UserFqdn &&
                    string.Equals(certificate.GetNameInfo(X509NameType.EmailName, false), Encoding.ASCII.GetString(data), StringComparison.OrdinalIgnoreCase);
            default:
                return false;
        }
    }

    /// <summary>Our Phase 1 identity with a certificate and no configured ID: the subject DN (charon's default).</summary>
    public static IkeIdentity DefaultIdentity(X509Certificate2 certificate) =>
        new(IdentificationType.DerAsn1Dn, certificate.SubjectName.RawData);

    /// <summary>Convenience for configuration code: the ID type/data pair of an identity.</summary>
    public static bool IdentityMatches(X509Certificate2 certificate, IkeIdentity identity) =>
        IdentityMatches(certificate, identity.Type, identity.Data);
}
