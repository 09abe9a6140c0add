using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Wire;
using IkeEncryptionAlgorithm = Ike.Fast.Crypto.IkeEncryptionAlgorithm;
using IkeHashAlgorithm = Ike.Fast.Crypto.IkeHashAlgorithm;

namespace Ike.Fast.Tests.Policy;

public class ProposalParserTests
{
    [Theory]
    [InlineData("aes128-sha256-modp2048", IkeEncryptionAlgorithm.AesCbc, 128, IkeHashAlgorithm.Sha256, DhGroupId.Modp2048)]
    [InlineData("aes256-sha1-modp1536", IkeEncryptionAlgorithm.AesCbc, 256, IkeHashAlgorithm.Sha1, DhGroupId.Modp1536)]
    [InlineData("3des-sha1-modp1024", IkeEncryptionAlgorithm.TripleDesCbc, 0, IkeHashAlgorithm.Sha1, DhGroupId.Modp1024)]
    [InlineData("aes128-sha256-ecp256", IkeEncryptionAlgorithm.AesCbc, 128, IkeHashAlgorithm.Sha256, DhGroupId.Ecp256)]
    [InlineData("aes256-sha256-x25519", IkeEncryptionAlgorithm.AesCbc, 256, IkeHashAlgorithm.Sha256, DhGroupId.Curve25519)]
    [InlineData("AES256-SHA256-CURVE25519", IkeEncryptionAlgorithm.AesCbc, 256, IkeHashAlgorithm.Sha256, DhGroupId.Curve25519)]
    public void ParseIke_KeywordToAttributeValues(string text, IkeEncryptionAlgorithm enc, int bits, IkeHashAlgorithm hash, DhGroupId group)
    {
        IkeProposal p = Assert.Single(ProposalParser.ParseIke(text));
        Assert.Equal(new IkeProposal(enc, bits, hash, group), p);
    }

    [Fact]
    public void ParseIke_SeveralAlgorithms_ExpandToCombinationsInWrittenOrder()
    {
        IReadOnlyList<IkeProposal> list = ProposalParser.ParseIke("aes256-aes128-sha256-sha1-modp2048");
        Assert.Equal(["aes256-sha256-modp2048", "aes256-sha1-modp2048", "aes128-sha256-modp2048", "aes128-sha1-modp2048"], list.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("aes128-sha256", EspTransformId.AesCbc, 128, IpsecAuthenticationAlgorithm.HmacSha2_256, null, 16, 32)]
    [InlineData("aes128gcm16", EspTransformId.AesGcm16, 128, null, null, 20, 0)]
    [InlineData("aes128ctr-sha1", EspTransformId.AesCtr, 128, IpsecAuthenticationAlgorithm.HmacSha1, null, 20, 20)]
    [InlineData("3des-sha1", EspTransformId.TripleDes, 0, IpsecAuthenticationAlgorithm.HmacSha1, null, 24, 20)]
    [InlineData("aes128-sha256-modp2048", EspTransformId.AesCbc, 128, IpsecAuthenticationAlgorithm.HmacSha2_256, DhGroupId.Modp2048, 16, 32)]
    [InlineData("aes256gcm16-ecp256", EspTransformId.AesGcm16, 256, null, DhGroupId.Ecp256, 36, 0)]
    public void ParseEsp_KeywordToTransform(string text, EspTransformId id, int bits, IpsecAuthenticationAlgorithm? auth, DhGroupId? pfs, int encKey, int intKey)
    {
        ChildProposal p = Assert.Single(ProposalParser.ParseEsp(text));
        Assert.Equal(IpsecProtocol.Esp, p.Protocol);
        Assert.Equal(id, p.EspTransform);
        Assert.Equal(bits, p.KeyLengthBits);
        Assert.Equal(auth, p.Integrity);
        Assert.Equal(pfs, p.PfsGroup);
        Assert.Equal(encKey, p.EncryptionKeySize);
        Assert.Equal(intKey, p.IntegrityKeySize);
        Assert.Equal(text, p.ToString());
    }

    [Fact]
    public void ParseAh_IntegrityOnly()
    {
        ChildProposal p = Assert.Single(ProposalParser.ParseAh("sha256"));
        Assert.Equal(IpsecProtocol.Ah, p.Protocol);
        Assert.Equal(0, p.EncryptionKeySize);
        Assert.Equal(32, p.IntegrityKeySize);
    }

    [Theory]
    [InlineData("des-sha1-modp2048", "des", "refused")]
    [InlineData("aes128-sha256-modp9999", "modp9999", "not a known")]
    [InlineData("aes128-md6-modp2048", "md6", "not a known")]
    [InlineData("aes128-sha256", "aes128-sha256", "Diffie-Hellman")]
    [InlineData("null-sha1-modp2048", "null", "refused")]
    public void ParseIke_Errors_NameTheKeyword(string text, string keyword, string reason)
    {
        ProposalFormatException e = Assert.Throws<ProposalFormatException>(() => ProposalParser.ParseIke(text));
        Assert.Equal(keyword, e.Keyword);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{keyword}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aes128gcm16-sha256", "sha256")]
    [InlineData("aes128", "aes128")]
    [InlineData("des-sha1", "des")]
    [InlineData("aes128-sha256-foo", "foo")]
    public void ParseEsp_Errors_NameTheKeyword(string text, string keyword) =>
        Assert.Equal(keyword, Assert.Throws<ProposalFormatException>(() => ProposalParser.ParseEsp(text)).Keyword);

    [Fact]
    public void LegacyGroups_OnlyWhenNamed()
    {
        Assert.DoesNotContain(PeerConfig.DefaultIkeProposals, p => DhGroupRegistry.Get(p.Group).IsLegacy);
        Assert.Equal(DhGroupId.Modp1024, Assert.Single(ProposalParser.ParseIke("3des-sha1-modp1024")).Group);
    }
}
