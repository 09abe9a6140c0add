using System.Buffers.Binary;
using System.Net;
using CsCheck;
using Ike.Fast.Host.Sharding;

namespace Ike.Fast.Tests.Host.Sharding;

public sealed class ShardSteeringTests
{
    [Fact]
    public void ShapedCookiesNameTheirShardAndCarryTheMark() =>
        Gen.Select(Gen.ULong, Gen.Int[2, 64], Gen.ULong).SelectMany(t => Gen.Int[0, t.Item2 - 1].Select(s => (t.Item1, t.Item2, t.Item3, s)))
            .Sample(t =>
            {
                var (random, shards, seed, shard) = t;
                var shaped = ShardSteering.Shape(random, shard, shards, seed);
                Assert.Equal(shard, ShardSteering.ShardOf(shaped, shards));
                Assert.True(ShardSteering.IsShaped(shaped, seed));
                // Only the low word moves, by less than the shard count, and the mark byte above it: the top 24 bits and
                // most of the low word stay as unpredictable as drawn.
                Assert.Equal(random >> 40, shaped >> 40);
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
            var shaped = ShardSteering.Shape(random, shard, shards, Seed);
            Assert.Equal(shard, ShardSteering.ShardOf(shaped, shards));
            Assert.Equal(random >> 40, shaped >> 40);
        }
    }

    [Fact]
    public void OneShardKeepsTheCookie() => Assert.Equal(42UL, ShardSteering.Shape(42, 0, 1, Seed));

    /// <summary>A random cookie (the peer's) carries the mark about once in 256; under another seed the marks differ.</summary>
    [Fact]
    public void RandomCookiesRarelyCarryTheMark()
    {
        var random = new Random(9);
        var marked = 0;
        for (var i = 0; i < 100_000; i++)
        {
            marked += ShardSteering.IsShaped((ulong)random.NextInt64(), Seed) ? 1 : 0;
        }

        Assert.InRange(marked, 300, 500);
        var shaped = ShardSteering.Shape(0x0123_4567_89AB_CDEF, 1, 4, Seed);
        var otherSeeds = Enumerable.Range(1, 64).Count(s => ShardSteering.IsShaped(shaped, Seed + ((ulong)s << 32)));
        Assert.InRange(otherSeeds, 0, 8);
    }

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

    private const ulong Seed = 0x0123_4567_89AB_CDEF;

    /// <summary>
    /// Known answers that pin the hash under two seeds (computed independently of this code; the reuseport program in
    /// native/src/udp_batch.c computes the same: BatchedUdpTransportTests).
    /// </summary>
    [Theory]
    [InlineData("127.0.0.1", 0UL, 0, 2, 0)]
    [InlineData("192.0.2.1", 0UL, 1, 0, 1)]
    [InlineData("10.0.0.1", 0UL, 0, 1, 2)]
    [InlineData("::1", 0UL, 1, 0, 3)]
    [InlineData("2001:db8::5", 0UL, 1, 2, 1)]
    [InlineData("127.0.0.1", Seed, 1, 2, 3)]
    [InlineData("192.0.2.1", Seed, 1, 0, 1)]
    [InlineData("10.0.0.1", Seed, 0, 2, 0)]
    [InlineData("::1", Seed, 1, 0, 1)]
    [InlineData("2001:db8::5", Seed, 0, 1, 2)]
    public void TheAddressHashHasKnownAnswers(string address, ulong seed, int of2, int of3, int of4)
    {
        var ip = IPAddress.Parse(address);
        Assert.Equal(of2, ShardSteering.ShardOfAddress(ip, 2, seed));
        Assert.Equal(of3, ShardSteering.ShardOfAddress(ip, 3, seed));
        Assert.Equal(of4, ShardSteering.ShardOfAddress(ip, 4, seed));
        Assert.Equal(0, ShardSteering.ShardOfAddress(ip, 1, seed));
    }

    /// <summary>
    /// The seed decides the mapping: two seeds map the same addresses differently (a flood aimed at one shard under one
    /// seed spreads under another), and a sender who keeps the low bits of its addresses fixed still spreads (the
    /// finaliser lets every address bit count).
    /// </summary>
    [Theory]
    [InlineData(false, 2)]
    [InlineData(false, 4)]
    [InlineData(true, 4)]
    public void TwoSeedsGiveDifferentMappings(bool ipv6, int shards)
    {
        var random = new Random(5);
        var addresses = Enumerable.Range(0, 256).Select(_ =>
        {
            var bytes = new byte[ipv6 ? 16 : 4];
            random.NextBytes(bytes);
            return bytes;
        }).ToList();
        for (var pair = 0; pair < 20; pair++)
        {
            var a = ShardSteering.NewSeed();
            var b = ShardSteering.NewSeed();
            var moved = addresses.Count(x => ShardSteering.ShardOfAddress(x, shards, a) != ShardSteering.ShardOfAddress(x, shards, b));
            // Independent mappings move (shards - 1) / shards of the addresses: 128 of 256 for two shards.
            Assert.InRange(moved, 256 * (shards - 1) / shards / 2, 256);
        }

        // Only the first octet varies (the low 17 bits fixed): without the finaliser every one of these would land on
        // the same shard for two or four shards, whatever the seed.
        var counts = new int[shards];
        for (var first = 0; first < 256; first++)
        {
            var bytes = new byte[ipv6 ? 16 : 4];
            bytes[0] = (byte)first;
            bytes[^1] = 7;
            counts[ShardSteering.ShardOfAddress(bytes, shards, Seed)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 256 / shards / 2, 256 / shards * 3 / 2));
    }

    [Fact]
    public void SeedsAreDrawnAfresh() => Assert.NotEqual(ShardSteering.NewSeed(), ShardSteering.NewSeed());

    [Fact]
    public void AnIpv4MappedAddressIsItsIpv4Address() =>
        Gen.Select(Gen.UInt, Gen.ULong).Sample(t =>
        {
            var ip = new IPAddress(BitConverter.GetBytes(t.Item1));
            Assert.Equal(ShardSteering.ShardOfAddress(ip, 5, t.Item2), ShardSteering.ShardOfAddress(ip.MapToIPv6(), 5, t.Item2));
        }, iter: 500);

    [Fact]
    public void ThePortDoesNotMoveAPeer_NoAddressMeansShardZero()
    {
        Assert.Equal(0, ShardSteering.ShardOfPeer(null, 4, Seed));
        Assert.Equal(ShardSteering.ShardOfAddress(IPAddress.Parse("192.0.2.1"), 4, Seed), ShardSteering.ShardOfPeer(IPAddress.Parse("192.0.2.1"), 4, Seed));
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

            counts[ShardSteering.ShardOfAddress(bytes, shards, ShardSteering.NewSeed())]++;
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
