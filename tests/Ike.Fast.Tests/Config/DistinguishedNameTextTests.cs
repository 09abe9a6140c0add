using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Ike.Fast.Host.Configuration;

namespace Ike.Fast.Tests.Config;

public class DistinguishedNameTextTests
{
    [Theory]
    [InlineData("C=XX, O=IkeFast Interop, CN=b.ikefast.test", true)]
    [InlineData("asn1dn:CN=x", true)]
    [InlineData("192.0.2.1", false)]
    [InlineData("@vpn.example.org", false)]
    [InlineData("user@example.org", false)]
    [InlineData("keyid:0a0b", false)]
    [InlineData("fqdn:a=b", false)]
    public void RecognisesDistinguishedNames(string text, bool isDn) =>
        Assert.Equal(isDn, DistinguishedNameText.IsDistinguishedName(text, out _));

    [Fact]
    public void EncodesInTheOrderWrittenLikeStrongSwan()
    {
        // strongSwan prints and parses DNs in ASN.1 order: the first RDN written is the first in the DER (countryName
        // here), as in the subjects openssl and strongSwan's pki produce. .NET's own string order is the reverse.
        var der = DistinguishedNameText.ToDer("C=XX, O=IkeFast Interop, CN=b.ikefast.test");
        Assert.Equal(["2.5.4.6", "2.5.4.10", "2.5.4.3"], AttributeOids(der));
        Assert.Equal(der, DistinguishedNameText.ToDer("C=XX,O=IkeFast Interop,CN=b.ikefast.test"));
        // The same DN written .NET's way round encodes the other way round.
        Assert.Equal(["2.5.4.3", "2.5.4.10", "2.5.4.6"], AttributeOids(new X500DistinguishedName("C=XX, O=IkeFast Interop, CN=b.ikefast.test").RawData));
    }

    private static List<string> AttributeOids(byte[] der)
    {
        var oids = new List<string>();
        var name = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        while (name.HasData)
        {
            var rdn = name.ReadSetOf();
            oids.Add(rdn.ReadSequence().ReadObjectIdentifier());
        }

        return oids;
    }

    [Fact]
    public void QuotedCommasStayInTheirRdn()
    {
        var der = DistinguishedNameText.ToDer("C=XX, O=\"Acme, Inc.\", CN=a");
        var name = new X500DistinguishedName(der);
        Assert.Contains("Acme, Inc.", name.Name, StringComparison.Ordinal);
        Assert.Equal(3, name.EnumerateRelativeDistinguishedNames().Count());
    }

    [Theory]
    [InlineData("C=XX,, CN=a")]
    [InlineData("nonsense=")]
    public void MalformedNamesThrowFormatException(string dn) => Assert.Throws<FormatException>(() => DistinguishedNameText.ToDer(dn));
}
