using System.Buffers.Binary;
using CsCheck;
using Ike.Fast.Host.Sharding;

namespace Ike.Fast.Tests.Host.Sharding;

public sealed class ShardSteeringTests
{
    [Fact]
    public void ShapedCookiesNameTheirShard() =>
        Gen.Select(Gen.ULong, Gen.Int[1, 64]).SelectMany(t => Gen.Int[0, t.Item2 - 1].Select(s => (t.Item1, t.Item2, s)))
            .Sample(t =>
            {
                var (random, shards, shard) = t;
                var shaped = ShardSteering.Shape(random, shard, shards);
                Assert.Equal(shard, ShardSteering.ShardOf(shaped, shards));
                // Only the low word moves, by less than the shard count: the cookie stays as unpredictable as drawn.
                Assert.Equal(random >> 32, shaped >> 32);
                Assert.True(Math.Abs((long)(uint)shaped - (uint)random) < shards);
            }, iter: 2000);

    [Theory]
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL, 3)]
    [InlineData(0x0000_0000_0000_0000UL, 7)]
    [InlineData(0x1234_5678_FFFF_FFFEUL, 5)]
    public void ShapingNearTheEndOfTheLowWordDoesNotOverflow(ulong random, int shards)
    {
        for (var shard = 0; shard < shards; shard++)
        {
            var shaped = ShardSteering.Shape(random, shard, shards);
            Assert.Equal(shard, ShardSteering.ShardOf(shaped, shards));
            Assert.Equal(random >> 32, shaped >> 32);
        }
    }

    [Fact]
    public void OneShardKeepsTheCookie() => Assert.Equal(42UL, ShardSteering.Shape(42, 0, 1));

    [Fact]
    public void TheCookieIsReadAfterTheNonEspMarkerOnPort4500()
    {
        var ike = new byte[28];
        BinaryPrimitives.WriteUInt64BigEndian(ike, 0x0102030405060708);
        Assert.True(ShardSteering.TryReadInitiatorCookie(ike, natTraversalPort: false, out var cookie));
        Assert.Equal(0x0102030405060708UL, cookie);

        var natT = new byte[32];
        ike.CopyTo(natT, 4);
        Assert.True(ShardSteering.TryReadInitiatorCookie(natT, natTraversalPort: true, out cookie));
        Assert.Equal(0x0102030405060708UL, cookie);

        // ESP (non-zero SPI where the marker would be) and a keepalive are not IKE.
        natT[0] = 1;
        Assert.False(ShardSteering.TryReadInitiatorCookie(natT, natTraversalPort: true, out _));
        Assert.False(ShardSteering.TryReadInitiatorCookie([0xFF], natTraversalPort: true, out _));
        Assert.False(ShardSteering.TryReadInitiatorCookie(new byte[7], natTraversalPort: false, out _));
    }

    [Fact]
    public void RandomCookiesSpreadOverTheShards()
    {
        var counts = new int[4];
        var random = new Random(7);
        for (var i = 0; i < 40_000; i++)
        {
            counts[ShardSteering.ShardOf((ulong)random.NextInt64(), 4)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
    }
}
