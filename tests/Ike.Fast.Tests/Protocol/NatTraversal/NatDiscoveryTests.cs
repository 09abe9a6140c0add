using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Ike.Fast.Crypto;
using Ike.Fast.Protocol.NatTraversal;

namespace Ike.Fast.Tests.Protocol.NatTraversal;

public sealed class NatDiscoveryTests
{
    /// <summary>
    /// charon's recorded NAT-D (strongSwan to strongSwan, encap=yes): the first NAT-D of MM3/MM4 hashes the
    /// destination, HASH = SHA-256(CKY-I | CKY-R | IP | port); ours must be the same bytes.
    /// </summary>
    [Fact]
    public void DestinationHashes_EqualCharonsRecordedNatD()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "vectors",
            "mm-psk-natt-aes128-sha256-modp2048__sw-sw.json")));
        JsonElement root = doc.RootElement;
        ulong ckyI = BinaryPrimitives.ReadUInt64BigEndian(Convert.FromHexString(root.GetProperty("cky_i").GetString()!));
        ulong ckyR = BinaryPrimitives.ReadUInt64BigEndian(Convert.FromHexString(root.GetProperty("cky_r").GetString()!));
        var initiator = new IPEndPoint(IPAddress.Parse(root.GetProperty("initiator").GetProperty("ip").GetString()!), 500);
        var responder = new IPEndPoint(IPAddress.Parse(root.GetProperty("responder").GetProperty("ip").GetString()!), 500);
        int checkedCount = 0;
        Span<byte> hash = stackalloc byte[NatDiscovery.MaxHashLength];
        foreach (JsonElement natD in root.GetProperty("nat_d").EnumerateArray())
        {
            if (natD.GetProperty("equals_hash_of")[0].GetString() != "dst")
            {
                continue;
            }

            IPEndPoint destination = natD.GetProperty("dir").GetString() == "I->R" ? responder : initiator;
            int length = NatDiscovery.ComputeHash(IkeHashAlgorithm.Sha256, ckyI, ckyR, destination, hash);
            Assert.Equal(natD.GetProperty("value").GetString(), Convert.ToHexStringLower(hash[..length]));
            checkedCount++;
        }

        Assert.Equal(2, checkedCount);
    }

    [Theory]
    [InlineData(IkeHashAlgorithm.Md5, 16)]
    [InlineData(IkeHashAlgorithm.Sha1, 20)]
    [InlineData(IkeHashAlgorithm.Sha384, 48)]
    public void HashLength_IsTheNegotiatedHashs(IkeHashAlgorithm algorithm, int expected)
    {
        Span<byte> hash = stackalloc byte[NatDiscovery.MaxHashLength];
        Assert.Equal(expected, NatDiscovery.ComputeHash(algorithm, 1, 2, new IPEndPoint(IPAddress.IPv6Loopback, 4500), hash));
    }

    [Fact]
    public void PortAndAddress_BothChangeTheHash()
    {
        byte[] a = new byte[32], b = new byte[32], c = new byte[32];
        NatDiscovery.ComputeHash(IkeHashAlgorithm.Sha256, 1, 2, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 500), a);
        NatDiscovery.ComputeHash(IkeHashAlgorithm.Sha256, 1, 2, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 4500), b);
        NatDiscovery.ComputeHash(IkeHashAlgorithm.Sha256, 1, 2, new IPEndPoint(IPAddress.Parse("192.0.2.3"), 500), c);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }

    /// <summary>SHA-1 and SHA-256 go through the engine's own hasher (issue #8): same bytes as the platform one-shot.</summary>
    [Theory]
    [InlineData(IkeHashAlgorithm.Sha1, "192.0.2.1", 500)]
    [InlineData(IkeHashAlgorithm.Sha256, "192.0.2.1", 4500)]
    [InlineData(IkeHashAlgorithm.Sha1, "2001:db8::1", 4500)]
    [InlineData(IkeHashAlgorithm.Sha256, "2001:db8::7", 500)]
    public void Sha32Hashes_EqualThePlatformsOneShot(IkeHashAlgorithm algorithm, string address, int port)
    {
        const ulong ckyI = 0x0123456789abcdef, ckyR = 0xfedcba9876543210;
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        byte[] ip = endPoint.Address.GetAddressBytes();
        byte[] input = new byte[16 + ip.Length + 2];
        BinaryPrimitives.WriteUInt64BigEndian(input, ckyI);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(8), ckyR);
        ip.CopyTo(input, 16);
        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(16 + ip.Length), (ushort)port);
        byte[] expected = algorithm == IkeHashAlgorithm.Sha1
            ? System.Security.Cryptography.SHA1.HashData(input)
            : System.Security.Cryptography.SHA256.HashData(input);

        byte[] hash = new byte[NatDiscovery.MaxHashLength];
        int length = NatDiscovery.ComputeHash(algorithm, ckyI, ckyR, endPoint, hash);
        Assert.Equal(expected, hash[..length]);
    }
}
