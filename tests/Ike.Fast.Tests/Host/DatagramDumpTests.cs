using Ike.Fast.Host.Daemon;

namespace Ike.Fast.Tests.Host;

public class DatagramDumpTests
{
    [Fact]
    public void SummaryShowsTheIsakmpHeader()
    {
        // RFC 2408 section 3.1 header: Main Mode (Identity Protection) first message, SA payload next, encrypted flag set.
        byte[] message =
        [
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // initiator cookie
            0, 0, 0, 0, 0, 0, 0, 0,                         // responder cookie
            1, 0x10, 2, 0x01,                               // next payload SA, version 1.0, exchange 2, flags E
            0xde, 0xad, 0xbe, 0xef,                         // message ID
            0, 0, 0, 28,                                    // length
        ];
        Assert.Equal(
            "IdentityProtection i=0102030405060708 r=0000000000000000 msgid=deadbeef next=SecurityAssociation encrypted",
            DatagramDump.Summary(message));
        Assert.Equal(56, DatagramDump.Hex(message).Length);
    }

    [Fact]
    public void ShortDatagramIsNotIsakmpAndLongDumpIsElided()
    {
        Assert.Equal("(not ISAKMP)", DatagramDump.Summary([1, 2, 3]));
        Assert.EndsWith("...", DatagramDump.Hex(new byte[5000]), StringComparison.Ordinal);
    }
}
