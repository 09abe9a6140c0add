using System.Buffers.Binary;
using Ike.Fast.Host.Admission;

namespace Ike.Fast.Tests.Host.Admission;

public sealed class IsakmpClassifierTests
{
    internal static byte[] Header(ulong icookie, ulong rcookie, byte exchange, uint messageId, int length = 28)
    {
        var header = new byte[length];
        BinaryPrimitives.WriteUInt64BigEndian(header, icookie);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(8), rcookie);
        header[16] = 1; // SA payload next
        header[17] = 0x10; // version 1.0
        header[18] = exchange;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(20), messageId);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), (uint)length);
        return header;
    }

    [Theory]
    [InlineData(2, DatagramKind.NewPhase1)] // Identity Protection (Main Mode)
    [InlineData(4, DatagramKind.NewPhase1)] // Aggressive
    [InlineData(5, DatagramKind.Existing)] // Informational (e.g. a notify before keys)
    [InlineData(32, DatagramKind.Existing)] // Quick Mode
    public void FirstMessagesOfMainAndAggressiveModeAreNew(byte exchange, DatagramKind expected) =>
        Assert.Equal(expected, IsakmpClassifier.Classify(Header(1, 0, exchange, 0)));

    [Fact]
    public void EverythingWithAResponderCookieOrAMessageIdIsAnExistingPeer()
    {
        Assert.Equal(DatagramKind.Existing, IsakmpClassifier.Classify(Header(1, 2, 2, 0))); // MM3
        Assert.Equal(DatagramKind.Existing, IsakmpClassifier.Classify(Header(1, 2, 32, 0x1234))); // QM rekey
        Assert.Equal(DatagramKind.Existing, IsakmpClassifier.Classify(Header(1, 2, 5, 0x99))); // DPD R-U-THERE
        Assert.Equal(DatagramKind.Existing, IsakmpClassifier.Classify(Header(1, 0, 2, 7)));
    }

    [Fact]
    public void ShortDatagramsAreMalformed()
    {
        Assert.Equal(DatagramKind.Malformed, IsakmpClassifier.Classify(new byte[27]));
        Assert.Equal(0x0102030405060708UL, IsakmpClassifier.InitiatorCookie(Header(0x0102030405060708, 0, 2, 0)));
    }
}
