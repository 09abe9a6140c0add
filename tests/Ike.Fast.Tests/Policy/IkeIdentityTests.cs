using System.Net;
using System.Text;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Policy;

public class IkeIdentityTests
{
    [Theory]
    [InlineData("192.0.2.1", IdentificationType.Ipv4Address, "c0000201")]
    [InlineData("2001:db8::1", IdentificationType.Ipv6Address, "20010db8000000000000000000000001")]
    [InlineData("@b.ikev1.test", IdentificationType.Fqdn, "622e696b6576312e74657374")]
    [InlineData("b.ikev1.test", IdentificationType.Fqdn, "622e696b6576312e74657374")]
    [InlineData("fqdn:b.ikev1.test", IdentificationType.Fqdn, "622e696b6576312e74657374")]
    [InlineData("alice@ikev1.test", IdentificationType.UserFqdn, "616c69636540696b6576312e74657374")]
    [InlineData("@#0102ff", IdentificationType.KeyId, "0102ff")]
    [InlineData("keyid:0102ff", IdentificationType.KeyId, "0102ff")]
    public void Parse_StrongSwanSyntax(string text, IdentificationType type, string hex)
    {
        IkeIdentity id = IkeIdentity.Parse(text);
        Assert.Equal(type, id.Type);
        Assert.Equal(hex, Convert.ToHexStringLower(id.Data));
    }

    [Fact]
    public void Parse_DistinguishedName_IsDerEncoded()
    {
        IkeIdentity id = IkeIdentity.Parse("C=CH, O=IkeFast, CN=b.ikev1.test");
        Assert.Equal(IdentificationType.DerAsn1Dn, id.Type);
        Assert.Equal(0x30, id.Data[0]);
        // Written order = DER order (strongSwan): the first RDN is C (OID 2.5.4.6 = 06 03 55 04 06).
        Assert.Equal("0603550406", Convert.ToHexStringLower(id.Data.Slice(6, 5)));
        Assert.Equal("C=CH, O=IkeFast, CN=b.ikev1.test", id.ToString());
        Assert.Equal(id, IkeIdentity.Parse("asn1dn:C=CH, O=IkeFast, CN=b.ikev1.test"));
    }

    [Fact]
    public void Equality_AndMatches()
    {
        Assert.Equal(IkeIdentity.Parse("@x.test"), IkeIdentity.Parse("fqdn:x.test"));
        Assert.NotEqual(IkeIdentity.Parse("@x.test"), IkeIdentity.Parse("x.test@"));
        Assert.True(IkeIdentity.FromAddress(IPAddress.Parse("192.0.2.1")).Matches(IdentificationType.Ipv4Address, [192, 0, 2, 1]));
        Assert.False(IkeIdentity.Parse("@x.test").Matches(IdentificationType.UserFqdn, Encoding.ASCII.GetBytes("x.test")));
    }
}
