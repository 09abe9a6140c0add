using System.Buffers.Binary;
using System.Net;
using Ike.Fast.Host.Sharding;

namespace Ike.Fast.Tests.Host.Sharding;

public sealed class ShardInboxTests
{
    private static readonly IPEndPoint Local = IPEndPoint.Parse("127.0.0.1:500");

    [Fact]
    public void TwoProducersOneConsumerLoseNothingAndKeepEachProducersOrder()
    {
        using var inbox = new ShardInbox(64, 64);
        const int PerProducer = 20_000;
        var remotes = new[] { IPEndPoint.Parse("127.0.0.2:500"), IPEndPoint.Parse("127.0.0.3:500") };
        var producers = Enumerable.Range(0, 2).Select(p => new Thread(() =>
        {
            Span<byte> datagram = stackalloc byte[8];
            for (var i = 0; i < PerProducer; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(datagram, p);
                BinaryPrimitives.WriteInt32BigEndian(datagram[4..], i);
                while (!inbox.TryEnqueue(datagram, Local, remotes[p]))
                {
                    Thread.Yield();
                }
            }
        })).ToList();
        producers.ForEach(t => t.Start());

        var next = new int[2];
        var buffer = new byte[64];
        var received = 0;
        while (received < 2 * PerProducer)
        {
            if (!inbox.TryDequeue(buffer, out var length, out var local, out var remote))
            {
                Thread.Yield();
                continue;
            }

            Assert.Equal(8, length);
            var producer = BinaryPrimitives.ReadInt32BigEndian(buffer);
            Assert.Equal(next[producer]++, BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(4)));
            Assert.Same(remotes[producer], remote);
            Assert.Same(Local, local);
            received++;
        }

        producers.ForEach(t => t.Join());
        Assert.True(inbox.IsEmpty);
    }

    [Fact]
    public void AFullInboxDropsAndCounts()
    {
        using var inbox = new ShardInbox(4, 16);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(inbox.TryEnqueue([1, 2, 3], Local, Local));
        }

        Assert.False(inbox.TryEnqueue([4], Local, Local));
        Assert.Equal(1, inbox.Dropped);
        Assert.Equal(4, inbox.Count);
    }

    [Fact]
    public void ADatagramLargerThanACellStillArrivesWhole()
    {
        using var inbox = new ShardInbox(4, 16);
        var big = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        Assert.True(inbox.TryEnqueue(big, Local, Local));
        var buffer = new byte[200];
        Assert.True(inbox.TryDequeue(buffer, out var length, out _, out _));
        Assert.Equal(big, buffer[..length]);
    }
}
