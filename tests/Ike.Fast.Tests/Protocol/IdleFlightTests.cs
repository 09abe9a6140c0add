using System.Net;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// An established SA hands its Phase 1 flight back once past the reply cache (issue #7: no flight object per idle
/// SA); a late repeat of the last request is still recognised and counted as a retransmission (RFC 2408 §5), not
/// answered, exactly as when the flight only dropped its buffer.
/// </summary>
public class IdleFlightTests
{
    [Fact]
    public void LateRepeatOfMm5AfterTheReplyCache_IsCountedNotAnswered_AndTheSaStaysUp()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", options: new EndpointOptions { ReplyCacheMs = 1000 });
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        byte[] mm5 = c.Wire[4].Bytes;
        var local = new IPEndPoint(Conversation.AddressB, 500);
        var remote = new IPEndPoint(Conversation.AddressA, 500);
        byte[] buffer = new byte[65536];

        // Within the reply cache: MM6 again.
        c.B.Handle(0, local, remote, mm5);
        Assert.True(c.B.PollTransmit(buffer, out _));

        // Past it: the flight goes back to the pool (first timeout), the retired objects are recycled (second).
        c.B.HandleTimeout(5000);
        c.B.HandleTimeout(5000);
        long retransmissions = c.B.Counters[DiagnosticCode.Retransmission];
        for (int i = 0; i < 3; i++)
        {
            c.B.Handle(5000 + i, local, remote, mm5);
            Assert.False(c.B.PollTransmit(buffer, out _));
        }

        Assert.Equal(retransmissions + 3, c.B.Counters[DiagnosticCode.Retransmission]);
        var sa = Assert.Single(c.B.GetSaStatus());
        Assert.Equal("Established", sa.State);
        Assert.Equal(2, c.A.GetSaStatus().Count + c.B.GetSaStatus().Count);
    }
}
