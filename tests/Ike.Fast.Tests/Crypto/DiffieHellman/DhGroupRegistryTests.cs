using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

public class DhGroupRegistryTests
{
    [Theory]
    [InlineData(DhGroupId.Modp768, DhGroupKind.Modp, 96, 96, true)]
    [InlineData(DhGroupId.Modp1024, DhGroupKind.Modp, 128, 128, true)]
    [InlineData(DhGroupId.Modp1536, DhGroupKind.Modp, 192, 192, false)]
    [InlineData(DhGroupId.Modp2048, DhGroupKind.Modp, 256, 256, false)]
    [InlineData(DhGroupId.Modp3072, DhGroupKind.Modp, 384, 384, false)]
    [InlineData(DhGroupId.Modp4096, DhGroupKind.Modp, 512, 512, false)]
    [InlineData(DhGroupId.Modp6144, DhGroupKind.Modp, 768, 768, false)]
    [InlineData(DhGroupId.Modp8192, DhGroupKind.Modp, 1024, 1024, false)]
    [InlineData(DhGroupId.Ecp256, DhGroupKind.Ecp, 64, 32, false)]
    [InlineData(DhGroupId.Ecp384, DhGroupKind.Ecp, 96, 48, false)]
    [InlineData(DhGroupId.Ecp521, DhGroupKind.Ecp, 132, 66, false)]
    [InlineData(DhGroupId.Curve25519, DhGroupKind.Curve25519, 32, 32, false)]
    public void Descriptor_has_the_rfc_encoding_lengths(DhGroupId id, DhGroupKind kind, int publicLength, int sharedLength, bool legacy)
    {
        DhGroup group = DhGroupRegistry.Get(id);
        Assert.Equal(id, group.Id);
        Assert.Equal(kind, group.Kind);
        Assert.Equal(publicLength, group.PublicValueLength);
        Assert.Equal(sharedLength, group.SharedSecretLength);
        Assert.Equal(legacy, group.IsLegacy);
    }

    [Fact]
    public void Legacy_groups_are_acceptable_only_when_named_explicitly()
    {
        Assert.False(DhGroupRegistry.IsAcceptable(DhGroupId.Modp768, namedExplicitly: false));
        Assert.False(DhGroupRegistry.IsAcceptable(DhGroupId.Modp1024, namedExplicitly: false));
        Assert.True(DhGroupRegistry.IsAcceptable(DhGroupId.Modp1024, namedExplicitly: true));
        Assert.True(DhGroupRegistry.IsAcceptable(DhGroupId.Modp2048, namedExplicitly: false));
        Assert.False(DhGroupRegistry.IsAcceptable((DhGroupId)3, namedExplicitly: true)); // EC2N, not implemented
        Assert.False(DhGroupRegistry.TryGet((DhGroupId)24, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => DhGroupRegistry.Get((DhGroupId)24));
    }

    [Fact]
    public void Short_exponents_are_at_least_twice_the_security_strength_and_256_bits()
    {
        foreach (DhGroup group in DhGroupRegistry.All.Where(g => g.Kind == DhGroupKind.Modp))
        {
            Assert.True(group.ShortExponentBits >= 2 * group.SecurityStrengthBits);
            Assert.True(group.ShortExponentBits >= 256);
            Assert.Equal(0, group.ShortExponentBits % 8);
            Assert.True(group.ShortExponentBits < group.Modp!.Bits - 1);
        }

        Assert.Equal(256, DhGroupRegistry.Get(DhGroupId.Modp2048).ShortExponentBits);
    }
}
