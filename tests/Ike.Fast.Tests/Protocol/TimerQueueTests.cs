using System.Buffers.Binary;
using System.Net;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// The endpoint's timer queue (<c>PollTimeout</c>/<c>HandleTimeout</c> without a scan of every SA) with 20,000
/// responder SAs: the earliest deadline is reported exactly, due SAs fire, the rest do not.
/// </summary>
public class TimerQueueTests
{
    private const int Count = 20_000;

    [Fact]
    public void TwentyThousandSas_PollTimeoutIsTheEarliestDeadline()
    {
        var options = new EndpointOptions { MaxHalfOpen = Count, MaxHalfOpenPerAddress = Count };
        var c = Conversation.Create(ike: "aes128-sha256-ecp256", options: options);
        var buffer = new byte[65536];
        c.A.Initiate("conn", "child", 0);
        Assert.True(c.A.PollTransmit(buffer, out Transmit t));
        byte[] mm1 = buffer[..t.Length];
        var local = new IPEndPoint(Conversation.AddressB, 500);
        var remote = new IPEndPoint(Conversation.AddressA, 500);
        for (int i = 0; i < Count; i++)
        {
            /* MM1 HDR, SA --> (SA i: a new initiator cookie, created at time i; MM2 is due again at i + 4000) */
            BinaryPrimitives.WriteInt32BigEndian(mm1, i + 1);
            c.B.Handle(i, local, remote, mm1);
            Assert.True(c.B.PollTransmit(buffer, out _));
        }

        Assert.Equal(Count, c.B.Phase1SaCount);
        Assert.Equal(4000, c.B.PollTimeout());

        // SAs 0..5 are due: exactly they retransmit MM2 (next at 4005 + 8000), SA 6 is next.
        c.B.HandleTimeout(4005);
        Assert.Equal(6, Drain(c.B, buffer));
        Assert.Equal(4006, c.B.PollTimeout());

        // SAs 6..6000 are due; then SA 6001 (10001) is earlier than SA 0's second retransmission (12005).
        c.B.HandleTimeout(10_000);
        Assert.Equal(6000 - 6 + 1, Drain(c.B, buffer));
        Assert.Equal(10_001, c.B.PollTimeout());

        // Half-open expiry (30 s after creation) removes SAs 0..100; SA 101 expires next, at 30101.
        c.B.HandleTimeout(30_100);
        Drain(c.B, buffer);
        Assert.Equal(Count - 101, c.B.Phase1SaCount);
        Assert.Equal(30_101, c.B.PollTimeout());

        // Everything expires: nothing is left to wait for.
        c.B.HandleTimeout(Count + 30_000);
        Assert.Equal(0, c.B.Phase1SaCount);
        Assert.Null(c.B.PollTimeout());
    }

    [Fact]
    public void DeadlineMovedLater_IsReportedFresh()
    {
        // After the exchange completes, the retransmission deadlines are gone: the queue must not report them.
        var c = Conversation.Create(ike: "aes128-sha256-ecp256");
        c.A.Initiate("conn", "child", 0);
        Assert.Equal(4000, c.A.PollTimeout()); // MM1 awaiting MM2
        c.Pump();
        long? next = c.A.PollTimeout();
        Assert.NotNull(next);
        Assert.True(next > 4000, $"stale deadline {next}");
    }

    private static int Drain(Endpoint e, byte[] buffer)
    {
        int n = 0;
        while (e.PollTransmit(buffer, out _))
        {
            n++;
        }

        return n;
    }
}
