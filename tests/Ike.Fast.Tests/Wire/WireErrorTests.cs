using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Wire;

public class WireErrorTests
{
    [Theory]
    [InlineData(WireError.None, NotifyMessageType.None)]
    [InlineData(WireError.HeaderTruncated, NotifyMessageType.PayloadMalformed)]
    [InlineData(WireError.HeaderLengthExceedsDatagram, NotifyMessageType.UnequalPayloadLengths)]
    [InlineData(WireError.InvalidMajorVersion, NotifyMessageType.InvalidMajorVersion)]
    [InlineData(WireError.InvalidMinorVersion, NotifyMessageType.InvalidMinorVersion)]
    [InlineData(WireError.InvalidExchangeType, NotifyMessageType.InvalidExchangeType)]
    [InlineData(WireError.InvalidFlags, NotifyMessageType.InvalidFlags)]
    [InlineData(WireError.InvalidCookie, NotifyMessageType.InvalidCookie)]
    [InlineData(WireError.InvalidPayloadType, NotifyMessageType.InvalidPayloadType)]
    [InlineData(WireError.PayloadLengthExceedsMessage, NotifyMessageType.UnequalPayloadLengths)]
    [InlineData(WireError.PayloadLengthTooSmall, NotifyMessageType.PayloadMalformed)]
    [InlineData(WireError.DoiNotSupported, NotifyMessageType.DoiNotSupported)]
    [InlineData(WireError.SituationNotSupported, NotifyMessageType.SituationNotSupported)]
    [InlineData(WireError.ProposalSyntax, NotifyMessageType.BadProposalSyntax)]
    [InlineData(WireError.TransformSyntax, NotifyMessageType.BadProposalSyntax)]
    [InlineData(WireError.InvalidIdInformation, NotifyMessageType.InvalidIdInformation)]
    [InlineData(WireError.InvalidSpi, NotifyMessageType.InvalidSpi)]
    [InlineData(WireError.BodyEncrypted, NotifyMessageType.None)]
    [InlineData(WireError.OutOfSpace, NotifyMessageType.None)]
    public void MapsToTheRfc2408Notify(WireError error, NotifyMessageType notify) => Assert.Equal(notify, error.ToNotifyType());

    [Fact]
    public void EveryReaderErrorMapsToAnErrorNotify()
    {
        WireError[] local = [WireError.None, WireError.BodyEncrypted, WireError.OutOfSpace, WireError.InvalidWriterState,
            WireError.PayloadTooLong, WireError.AttributeValueNotBasic];
        foreach (WireError error in Enum.GetValues<WireError>().Except(local))
        {
            NotifyMessageType notify = error.ToNotifyType();
            Assert.InRange((int)notify, 1, 30);
        }
    }

    [Fact]
    public void NotifyNumbersMatchRfc2408()
    {
        Assert.Equal(1, (int)NotifyMessageType.InvalidPayloadType);
        Assert.Equal(14, (int)NotifyMessageType.NoProposalChosen);
        Assert.Equal(15, (int)NotifyMessageType.BadProposalSyntax);
        Assert.Equal(16, (int)NotifyMessageType.PayloadMalformed);
        Assert.Equal(30, (int)NotifyMessageType.UnequalPayloadLengths);
        Assert.Equal(24578, (int)NotifyMessageType.InitialContact);
    }
}
