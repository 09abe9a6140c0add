using System.Security.Cryptography;
using System.Text;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol.NatTraversal;

/// <summary>
/// The NAT-T vendor IDs are the MD5 of their names (RFC 3947 section 3.1: "RFC 3947"; the drafts: their document
/// names, draft-02 once with and once without a trailing newline, as deployed) and classify as RFC or draft.
/// </summary>
public class NatTraversalVendorIdTests
{
    [Theory]
    [InlineData("RFC 3947", KnownVendor.NatTraversalRfc3947)]
    [InlineData("draft-ietf-ipsec-nat-t-ike-02\n", KnownVendor.NatTraversalDraft)]
    [InlineData("draft-ietf-ipsec-nat-t-ike-02", KnownVendor.NatTraversalDraft)]
    [InlineData("draft-ietf-ipsec-nat-t-ike-03", KnownVendor.NatTraversalDraft)]
    public void VendorIdIsTheMd5OfTheName(string name, KnownVendor expected)
    {
        byte[] vid = MD5.HashData(Encoding.ASCII.GetBytes(name));
        Assert.Equal(expected, VendorIds.Classify(vid));
    }

    [Fact]
    public void TheConstantsAreThoseHashes()
    {
        Assert.Equal(MD5.HashData("RFC 3947"u8), VendorIds.NatTraversalRfc3947.ToArray());
        Assert.Equal(MD5.HashData("draft-ietf-ipsec-nat-t-ike-02\n"u8), VendorIds.NatTraversalDraft02N.ToArray());
        Assert.Equal(MD5.HashData("draft-ietf-ipsec-nat-t-ike-02"u8), VendorIds.NatTraversalDraft02.ToArray());
        Assert.Equal(MD5.HashData("draft-ietf-ipsec-nat-t-ike-03"u8), VendorIds.NatTraversalDraft03.ToArray());
    }
}
