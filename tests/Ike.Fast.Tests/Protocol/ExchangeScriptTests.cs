using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

public class ExchangeScriptTests
{
    [Theory]
    [InlineData(ExchangeStep.MainMode1, PayloadSet.Sa | PayloadSet.VendorId, true)]
    [InlineData(ExchangeStep.MainMode1, PayloadSet.VendorId, false)]
    [InlineData(ExchangeStep.MainMode1, PayloadSet.Sa | PayloadSet.Hash, false)]
    [InlineData(ExchangeStep.MainMode3, PayloadSet.Ke | PayloadSet.Nonce | PayloadSet.NatDiscovery, true)]
    [InlineData(ExchangeStep.MainMode3, PayloadSet.Ke, false)]
    [InlineData(ExchangeStep.MainMode5, PayloadSet.Id | PayloadSet.Hash | PayloadSet.Notify, true)]
    [InlineData(ExchangeStep.MainMode5, PayloadSet.Id | PayloadSet.Signature | PayloadSet.Cert, true)]
    [InlineData(ExchangeStep.MainMode5, PayloadSet.Id, false)]
    [InlineData(ExchangeStep.MainMode5, PayloadSet.Id | PayloadSet.Cert | PayloadSet.Signature | PayloadSet.CertRequest | PayloadSet.Notify, true)] // charon RSA MM5
    [InlineData(ExchangeStep.MainMode6, PayloadSet.Id | PayloadSet.Cert | PayloadSet.Signature, true)]
    [InlineData(ExchangeStep.Aggressive1, PayloadSet.Sa | PayloadSet.Ke | PayloadSet.Nonce | PayloadSet.Id, true)]
    [InlineData(ExchangeStep.Aggressive1, PayloadSet.Sa | PayloadSet.Ke | PayloadSet.Nonce, false)]
    [InlineData(ExchangeStep.QuickMode1, PayloadSet.Hash | PayloadSet.Sa | PayloadSet.Nonce | PayloadSet.Ke | PayloadSet.Id | PayloadSet.Id2, true)]
    [InlineData(ExchangeStep.QuickMode1, PayloadSet.Sa | PayloadSet.Nonce, false)]
    [InlineData(ExchangeStep.QuickMode3, PayloadSet.Hash, true)]
    [InlineData(ExchangeStep.QuickMode3, PayloadSet.Hash | PayloadSet.Sa, false)]
    [InlineData(ExchangeStep.Informational, PayloadSet.Hash | PayloadSet.Delete, true)]
    [InlineData(ExchangeStep.Informational, PayloadSet.Delete, false)]
    public void Accepts_FollowsTheTable(ExchangeStep step, PayloadSet present, bool expected) =>
        Assert.Equal(expected, ExchangeScript.Accepts(step, present));

    [Fact]
    public void EveryStepHasARow_AndEncryptionMatchesRfc2409()
    {
        foreach (ExchangeStep step in Enum.GetValues<ExchangeStep>())
        {
            Assert.NotEqual(PayloadSet.None, ExchangeScript.Required(step));
        }

        Assert.False(ExchangeScript.IsEncrypted(ExchangeStep.MainMode4));
        Assert.True(ExchangeScript.IsEncrypted(ExchangeStep.MainMode5));
        Assert.True(ExchangeScript.IsEncrypted(ExchangeStep.QuickMode2));
        Assert.False(ExchangeScript.IsFromInitiator(ExchangeStep.MainMode6));
    }

    [Fact]
    public void OurMessages_SatisfyTheirRows()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", esp: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        ExchangeStep[] steps =
        [
            ExchangeStep.MainMode1, ExchangeStep.MainMode2, ExchangeStep.MainMode3, ExchangeStep.MainMode4,
            ExchangeStep.MainMode5, ExchangeStep.MainMode6, ExchangeStep.QuickMode1, ExchangeStep.QuickMode2, ExchangeStep.QuickMode3,
        ];
        Assert.Equal(steps.Length, c.Wire.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(ExchangeScript.Accepts(steps[i], WirePayloads.Cleartext(c.Wire[i].Bytes)), steps[i].ToString());
            Assert.Equal(ExchangeScript.IsFromInitiator(steps[i]), c.Wire[i].FromA);
        }
    }
}
