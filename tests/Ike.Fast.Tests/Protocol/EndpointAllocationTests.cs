using System.Net;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

public class EndpointAllocationTests
{
    [Fact]
    public void RetransmittedRequest_AnsweredFromTheCache_AllocatesNothing()
    {
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        byte[] mm5 = c.Wire[4].Bytes;
        byte[] buffer = new byte[65536];
        var local = new IPEndPoint(Conversation.AddressB, 500);
        var remote = new IPEndPoint(Conversation.AddressA, 500);
        for (int i = 0; i < 100; i++)
        {
            c.B.Handle(0, local, remote, mm5);
            Assert.True(c.B.PollTransmit(buffer, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            /* MM5 --> (retransmitted)   <-- MM6 (cached) */
            c.B.Handle(0, local, remote, mm5);
            c.B.PollTransmit(buffer, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1100, c.B.Counters[DiagnosticCode.Retransmission]);
    }
}
