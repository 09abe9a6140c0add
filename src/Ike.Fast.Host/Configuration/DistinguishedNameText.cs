using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// Distinguished names written as strongSwan writes them: RDNs in ASN.1 order, most significant first
/// (<c>C=XX, O=IkeFast Interop, CN=b.ikefast.test</c>), the order of the certificate's subject and thus of the peer's
/// ID_DER_ASN1_DN payload (RFC 2407 section 4.6.2.1). .NET's <see cref="X500DistinguishedName"/> string parser uses
/// the opposite (LDAP, RFC 4514) order, so the DER is built RDN by RDN in the order written.
/// </summary>
internal static class DistinguishedNameText
{
    /// <summary>Whether an identity string is a DN rather than an address, FQDN, e-mail or prefixed form.</summary>
    public static bool IsDistinguishedName(string text, out string dn)
    {
        dn = text.Trim();
        if (dn.StartsWith("asn1dn:", StringComparison.OrdinalIgnoreCase))
        {
            dn = dn["asn1dn:".Length..];
            return true;
        }

        var colon = dn.IndexOf(':', StringComparison.Ordinal);
        var equals = dn.IndexOf('=', StringComparison.Ordinal);
        // "keyid:..", "fqdn:.." and the like are other types; '=' before any ':' is an attribute assignment.
        return equals > 0 && (colon < 0 || equals < colon) && dn[0] != '@';
    }

    /// <summary>The DER encoding with the RDNs in the order written; throws <see cref="FormatException"/> when malformed.</summary>
    public static byte[] ToDer(string dn)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var rdn in SplitRdns(dn))
            {
                // One RDN through .NET's parser: SEQUENCE { SET { AttributeTypeAndValue } }; keep the SET.
                X500DistinguishedName single;
                try
                {
                    single = new X500DistinguishedName(rdn);
                }
                catch (System.Security.Cryptography.CryptographicException e)
                {
                    throw new FormatException($"invalid RDN '{rdn}': {e.Message}", e);
                }

                var reader = new AsnReader(single.RawData, AsnEncodingRules.DER).ReadSequence();
                while (reader.HasData)
                {
                    writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>Splits on commas (or '/', strongSwan's other separator is not supported) outside quotes and escapes.</summary>
    private static List<string> SplitRdns(string dn)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < dn.Length; i++)
        {
            var c = dn[i];
            if (c == '\\' && i + 1 < dn.Length)
            {
                current.Append(c).Append(dn[++i]);
                continue;
            }

            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == ',' && !quoted)
            {
                Add(parts, current);
                continue;
            }

            current.Append(c);
        }

        Add(parts, current);
        if (parts.Count == 0)
        {
            throw new FormatException("empty distinguished name");
        }

        return parts;
    }

    private static void Add(List<string> parts, StringBuilder current)
    {
        var rdn = current.ToString().Trim();
        current.Clear();
        if (rdn.Length == 0)
        {
            throw new FormatException("empty RDN");
        }

        parts.Add(rdn);
    }
}
