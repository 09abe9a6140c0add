using Ike.Fast.Host.Sharding;

namespace Ike.Fast.Tests.Host.Sharding;

public sealed class ShardMailboxTests
{
    private static ShardMessage Message(int from, ulong sequence) =>
        new(ShardMessageKind.PeerUp, from, "c", null, null, sequence, 0, false, false, null);

    [Fact]
    public void ThreeProducersOneConsumerLoseNothingAndKeepEachProducersOrder()
    {
        var mailbox = new ShardMailbox(32);
        const int PerProducer = 20_000;
        var producers = Enumerable.Range(0, 3).Select(p => new Thread(() =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                while (!mailbox.TryPost(Message(p, (ulong)i)))
                {
                    Thread.Yield();
                }
            }
        })).ToList();
        producers.ForEach(t => t.Start());

        var next = new ulong[3];
        var received = 0;
        while (received < 3 * PerProducer)
        {
            if (!mailbox.TryTake(out var message))
            {
                Thread.Yield();
                continue;
            }

            Assert.Equal(next[message.FromShard]++, message.InitiatorCookie);
            received++;
        }

        producers.ForEach(t => t.Join());
        Assert.False(mailbox.HasMail);
    }

    [Fact]
    public void AFullMailboxRefusesAndCountsThenTakesAgain()
    {
        var mailbox = new ShardMailbox(4);
        Assert.False(mailbox.HasMail);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(mailbox.TryPost(Message(1, (ulong)i)));
        }

        Assert.True(mailbox.HasMail);
        Assert.False(mailbox.TryPost(Message(1, 9)));
        Assert.Equal(1, mailbox.Refused);
        Assert.True(mailbox.TryTake(out var first));
        Assert.Equal(0UL, first.InitiatorCookie);
        Assert.True(mailbox.TryPost(Message(1, 4)));
        for (ulong i = 1; i <= 4; i++)
        {
            Assert.True(mailbox.TryTake(out var message));
            Assert.Equal(i, message.InitiatorCookie);
        }

        Assert.False(mailbox.TryTake(out _));
        Assert.False(mailbox.HasMail);
    }
}
