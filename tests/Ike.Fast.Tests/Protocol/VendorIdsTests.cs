using System.Security.Cryptography;
using System.Text;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

public class VendorIdsTests
{
    [Theory]
    [InlineData("afcad71368a1f1c96b8696fc77570100", KnownVendor.Dpd)]
    [InlineData("4a131c81070358455c5728f20e95452f", KnownVendor.NatTraversalRfc3947)]
    [InlineData("90cb80913ebb696e086381b5ec427b1f", KnownVendor.NatTraversalDraft)]
    [InlineData("09002689dfd6b712", KnownVendor.Xauth)]
    [InlineData("12f5f28c457168a9702d9fe274cc0100", KnownVendor.CiscoUnity)]
    [InlineData("4048b7d56ebce88525e7de7f00d6c2d380000000", KnownVendor.Fragmentation)]
    [InlineData("4048b7d56ebce88525e7de7f00d6c2d3", KnownVendor.Fragmentation)]
    [InlineData("882fe56d6fd20dbc2251613b2ebe5beb", KnownVendor.StrongSwan)]
    [InlineData("4f45", KnownVendor.Libreswan)]
    [InlineData("00112233", KnownVendor.Unknown)]
    public void Classify_KnownVendorIds(string hex, KnownVendor expected) => Assert.Equal(expected, VendorIds.Classify(Convert.FromHexString(hex)));

    [Fact]
    public void Ours_IsMd5OfIkeFast()
    {
        Assert.Equal(MD5.HashData(Encoding.ASCII.GetBytes("IkeFast")), VendorIds.IkeFast.ToArray());
        Assert.Equal(KnownVendor.IkeFast, VendorIds.Classify(VendorIds.IkeFast));
        Assert.Equal(MD5.HashData(Encoding.ASCII.GetBytes("strongSwan")), VendorIds.StrongSwan.ToArray());
    }

    [Fact]
    public void CharonVendorIds_AreRecognisedInAConversation()
    {
        // Our endpoints exchange IkeFast + DPD vendor IDs; the Phase 1 event reports what the peer announced.
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        string message = Assert.Single(c.Of(false, Ike.Fast.Protocol.EngineEventKind.Phase1Up)).Message!;
        Assert.Contains("Dpd", message, StringComparison.Ordinal);
        Assert.Contains("IkeFast", message, StringComparison.Ordinal);
    }
}
