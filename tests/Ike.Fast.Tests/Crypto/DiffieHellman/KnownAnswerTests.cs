using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

public class KnownAnswerTests
{
    public static TheoryData<DhGroupId, string, string, string, string, string, string, string> Rfc5903Vectors => new()
    {
        // RFC 5903 §8.1, §8.2, §8.3: i, g^i (x, y), r, g^r (x, y), g^ir x.
        {
            DhGroupId.Ecp256,
            "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
            "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
            "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
            "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
            "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63",
            "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
            "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"
        },
        {
            DhGroupId.Ecp384,
            "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194",
            "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA",
            "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
            "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC",
            "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A3571",
            "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
            "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746"
        },
        {
            DhGroupId.Ecp521,
            "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A095AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52",
            "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBEE1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176CED3E",
            "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10AD8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F9582",
            "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9",
            "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A219B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9460F",
            "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0FC56A",
            "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc5903Vectors))]
    public void Rfc5903_ecp_vectors(DhGroupId id, string i, string gix, string giy, string r, string grx, string gry, string girx)
    {
        DhGroup group = DhGroupRegistry.Get(id);
        var engine = new ScalarDhEngine(new DeterministicDhRandomSource(0));
        using DhPrivateKey initiator = EcpKeyExchange.FromKnownPrivateKey(group, Convert.FromHexString(i));
        using DhPrivateKey responder = EcpKeyExchange.FromKnownPrivateKey(group, Convert.FromHexString(r));

        // RFC 5903 §7: the KE payload is x‖y.
        Assert.Equal(Convert.FromHexString(gix + giy), initiator.PublicValue.ToArray());
        Assert.Equal(Convert.FromHexString(grx + gry), responder.PublicValue.ToArray());

        byte[] s1 = new byte[group.SharedSecretLength];
        byte[] s2 = new byte[group.SharedSecretLength];
        Assert.True(engine.ComputeSharedSecret(initiator, Convert.FromHexString(grx + gry), s1).IsSuccess);
        Assert.True(engine.ComputeSharedSecret(responder, Convert.FromHexString(gix + giy), s2).IsSuccess);
        Assert.Equal(Convert.FromHexString(girx), s1);
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void Rfc7748_x25519_vector_through_group_31()
    {
        // RFC 7748 §6.1.
        DhGroup group = DhGroupRegistry.Get(DhGroupId.Curve25519);
        var engine = new ScalarDhEngine(new DeterministicDhRandomSource(0));
        using DhPrivateKey alice = Curve25519KeyExchange.FromKnownPrivateKey(
            group, Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        using DhPrivateKey bob = Curve25519KeyExchange.FromKnownPrivateKey(
            group, Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        Assert.Equal(Convert.FromHexString("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alice.PublicValue.ToArray());
        Assert.Equal(Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bob.PublicValue.ToArray());

        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        Assert.True(engine.ComputeSharedSecret(alice, bob.PublicValue, k1).IsSuccess);
        Assert.True(engine.ComputeSharedSecret(bob, Convert.FromHexString("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), k2).IsSuccess);
        Assert.Equal(Convert.FromHexString("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"), k1);
        Assert.Equal(k1, k2);
    }

    [Fact]
    public void Modp_shared_secret_with_known_exponents_is_left_padded_to_the_prime_length()
    {
        // Exponent 1 and 2: g^1 = 2, and (2)^x for the peer value 2 — the smallest values, maximally padded.
        DhGroup group = DhGroupRegistry.Get(DhGroupId.Modp2048);
        using DhPrivateKey key = ModpKeyExchange.FromKnownExponent(group, [0, 5]);
        byte[] expectedPublic = new byte[256];
        expectedPublic[^1] = 32; // 2^5
        Assert.Equal(expectedPublic, key.PublicValue.ToArray());

        byte[] peer = new byte[256];
        peer[^1] = 3;
        byte[] shared = new byte[256];
        Assert.True(new ScalarDhEngine().ComputeSharedSecret(key, peer, shared).IsSuccess);
        byte[] expected = new byte[256];
        expected[^1] = 243; // 3^5
        Assert.Equal(expected, shared);
    }
}
