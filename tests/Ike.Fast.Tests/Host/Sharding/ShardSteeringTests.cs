using System.Buffers.Binary;
using System.Net;
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

    /// <summary>Known answers that pin the hash (the reuseport program in native/src/udp_batch.c computes the same).</summary>
    [Theory]
    [InlineData("127.0.0.1", 0, 0, 2)]
    [InlineData("192.0.2.1", 1, 1, 3)]
    [InlineData("10.0.0.1", 0, 2, 2)]
    [InlineData("::1", 0, 2, 2)]
    [InlineData("2001:db8::5", 0, 1, 2)]
    public void TheAddressHashHasKnownAnswers(string address, int of2, int of3, int of4)
    {
        var ip = IPAddress.Parse(address);
        Assert.Equal(of2, ShardSteering.ShardOfAddress(ip, 2));
        Assert.Equal(of3, ShardSteering.ShardOfAddress(ip, 3));
        Assert.Equal(of4, ShardSteering.ShardOfAddress(ip, 4));
        Assert.Equal(0, ShardSteering.ShardOfAddress(ip, 1));
    }

    [Fact]
    public void AnIpv4MappedAddressIsItsIpv4Address() =>
        Gen.UInt.Sample(v =>
        {
            var ip = new IPAddress(BitConverter.GetBytes(v));
            Assert.Equal(ShardSteering.ShardOfAddress(ip, 5), ShardSteering.ShardOfAddress(ip.MapToIPv6(), 5));
        }, iter: 500);

    [Fact]
    public void ThePortDoesNotMoveAPeer_NoAddressMeansShardZero()
    {
        Assert.Equal(0, ShardSteering.ShardOfPeer(null, 4));
        Assert.Equal(ShardSteering.ShardOfAddress(IPAddress.Parse("192.0.2.1"), 4), ShardSteering.ShardOfPeer(IPAddress.Parse("192.0.2.1"), 4));
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(false, 4)]
    [InlineData(true, 3)]
    [InlineData(true, 4)]
    public void ConsecutiveAndRandomAddressesSpreadOverTheShards(bool ipv6, int shards)
    {
        var counts = new int[shards];
        var random = new Random(11);
        var bytes = new byte[ipv6 ? 16 : 4];
        for (var i = 0; i < 20_000; i++)
        {
            if (i % 2 == 0)
            {
                random.NextBytes(bytes);
            }
            else
            {
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(bytes.Length - 4), 0x7F00_0000 + i);
            }

            counts[ShardSteering.ShardOfAddress(bytes, shards)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 20_000 / shards * 9 / 10, 20_000 / shards * 11 / 10));
    }

    [Fact]
    public void BothCookiesAreReadAfterTheMarker()
    {
        var natT = new byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(natT.AsSpan(4), 7);
        BinaryPrimitives.WriteUInt64BigEndian(natT.AsSpan(12), 9);
        Assert.True(ShardSteering.TryReadCookies(natT, natTraversalPort: true, out var i, out var r));
        Assert.Equal((7UL, 9UL), (i, r));
        Assert.False(ShardSteering.TryReadCookies(natT.AsSpan(0, 19), natTraversalPort: true, out _, out _));
        Assert.True(ShardSteering.TryReadCookies(natT.AsSpan(4), natTraversalPort: false, out i, out r));
        Assert.Equal((7UL, 9UL), (i, r));
    }
}
