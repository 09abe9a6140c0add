using System.Numerics;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Tests.Crypto.DiffieHellman;

public class ScalarDhEngineTests
{
    private static readonly DhEngineOptions AllowLegacy = new()
    {
        ExplicitlyEnabledLegacyGroups = new HashSet<DhGroupId> { DhGroupId.Modp768, DhGroupId.Modp1024 },
    };

    public static TheoryData<DhGroupId> AllGroups => [.. DhGroupRegistry.All.Select(g => g.Id)];

    [Theory]
    [MemberData(nameof(AllGroups))]
    public void Two_parties_agree(DhGroupId id)
    {
        var initiator = new ScalarDhEngine(new DeterministicDhRandomSource(1), AllowLegacy);
        var responder = new ScalarDhEngine(new DeterministicDhRandomSource(2), AllowLegacy);
        DhGroup group = DhGroupRegistry.Get(id);

        byte[] gxi = new byte[group.PublicValueLength];
        byte[] gxr = new byte[group.PublicValueLength];
        DhResult i = initiator.GenerateKeyPair(id, gxi);
        DhResult r = responder.GenerateKeyPair(id, gxr);
        Assert.Equal(DhStatus.Success, i.Status);
        Assert.Equal(DhStatus.Success, r.Status);
        Assert.Equal(group.PublicValueLength, i.BytesWritten);
        Assert.Equal(gxi, i.PrivateKey!.PublicValue.ToArray());
        Assert.NotEqual(gxi, gxr);

        byte[] si = new byte[group.SharedSecretLength];
        byte[] sr = new byte[group.SharedSecretLength];
        DhResult a = initiator.ComputeSharedSecret(i.PrivateKey!, gxr, si);
        DhResult b = responder.ComputeSharedSecret(r.PrivateKey!, gxi, sr);
        Assert.Equal(DhStatus.Success, a.Status);
        Assert.Equal(DhStatus.Success, b.Status);
        Assert.Equal(group.SharedSecretLength, a.BytesWritten);
        Assert.Equal(si, sr);
        Assert.Contains(si, x => x != 0);

        // Single use: the private value was wiped.
        Assert.True(i.PrivateKey!.IsConsumed);
        Assert.Equal(DhStatus.PrivateKeyConsumed, initiator.ComputeSharedSecret(i.PrivateKey!, gxr, si).Status);
    }

    [Theory]
    [InlineData(DhGroupId.Modp768)]
    [InlineData(DhGroupId.Modp2048)]
    public void Full_length_exponents_agree_and_match_BigInteger(DhGroupId id)
    {
        var options = new DhEngineOptions { ExponentLength = PrivateExponentLength.Full, ExplicitlyEnabledLegacyGroups = AllowLegacy.ExplicitlyEnabledLegacyGroups };
        var engine = new ScalarDhEngine(new DeterministicDhRandomSource(3), options);
        DhGroup group = DhGroupRegistry.Get(id);
        byte[] gx = new byte[group.PublicValueLength];
        byte[] gy = new byte[group.PublicValueLength];
        DhPrivateKey x = engine.GenerateKeyPair(id, gx).PrivateKey!;
        DhPrivateKey y = engine.GenerateKeyPair(id, gy).PrivateKey!;
        Assert.Equal(group.Modp!.ByteLength, x.Exponent!.Length);
        Assert.True(x.Exponent[0] < 0x80); // bit length of q = p's minus one

        BigInteger p = ModularExponentiationTests.ToBig(group.Modp!.PrimeBytes);
        BigInteger ex = ModularExponentiationTests.ToBig(x.Exponent);
        Assert.Equal(BigInteger.ModPow(2, ex, p), ModularExponentiationTests.ToBig(gx));
        byte[] expected = new byte[group.SharedSecretLength];
        BigInteger.ModPow(ModularExponentiationTests.ToBig(gy), ex, p).TryWriteBytes(expected, out int n, isUnsigned: true, isBigEndian: true);
        expected = [.. new byte[expected.Length - n], .. expected[..n]];

        byte[] s1 = new byte[group.SharedSecretLength];
        byte[] s2 = new byte[group.SharedSecretLength];
        Assert.True(engine.ComputeSharedSecret(x, gy, s1).IsSuccess);
        Assert.True(engine.ComputeSharedSecret(y, gx, s2).IsSuccess);
        Assert.Equal(s1, s2);
        Assert.Equal(expected, s1);
    }

    [Fact]
    public void Short_exponent_has_the_policy_length_and_comes_from_the_injected_source()
    {
        var random = new DeterministicDhRandomSource(4);
        var engine = new ScalarDhEngine(random);
        DhPrivateKey key = engine.GenerateKeyPair(DhGroupId.Modp2048, new byte[256]).PrivateKey!;
        Assert.Equal(32, key.Exponent!.Length);
        Assert.Equal(1, random.Calls);

        // Same seed, same key: deterministic under test.
        var again = new ScalarDhEngine(new DeterministicDhRandomSource(4));
        Assert.Equal(key.PublicValue.ToArray(), again.GenerateKeyPair(DhGroupId.Modp2048, new byte[256]).PrivateKey!.PublicValue.ToArray());

        key.Dispose();
        Assert.True(key.IsConsumed);
        Assert.Null(key.Exponent);
    }

    [Fact]
    public void Legacy_groups_need_explicit_configuration()
    {
        var engine = new ScalarDhEngine(new DeterministicDhRandomSource(5));
        Assert.Equal(DhStatus.GroupNotAllowed, engine.GenerateKeyPair(DhGroupId.Modp768, new byte[96]).Status);
        Assert.Equal(DhStatus.GroupNotAllowed, engine.GenerateKeyPair(DhGroupId.Modp1024, new byte[128]).Status);
        Assert.Equal(DhStatus.UnsupportedGroup, engine.GenerateKeyPair((DhGroupId)22, new byte[128]).Status);
        var configured = new ScalarDhEngine(
            new DeterministicDhRandomSource(5), new DhEngineOptions { ExplicitlyEnabledLegacyGroups = new HashSet<DhGroupId> { DhGroupId.Modp1024 } });
        Assert.Equal(DhStatus.Success, configured.GenerateKeyPair(DhGroupId.Modp1024, new byte[128]).Status);
        Assert.Equal(DhStatus.GroupNotAllowed, configured.GenerateKeyPair(DhGroupId.Modp768, new byte[96]).Status);
    }

    public static TheoryData<string, byte[]> InvalidModpValues()
    {
        ModpGroup m = ModpGroup.Modp2048;
        byte[] one = new byte[m.ByteLength];
        one[^1] = 1;
        return new TheoryData<string, byte[]>
        {
            { "zero", new byte[m.ByteLength] },
            { "one", one },
            { "p-1", m.PrimeMinusOneBytes },
            { "p", m.PrimeBytes },
            { "all ones", Enumerable.Repeat((byte)0xFF, m.ByteLength).ToArray() },
            { "short by one byte (not zero-padded)", m.PrimeMinusOneBytes[1..] },
            { "long by one byte", [0, .. one] },
            { "empty", [] },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidModpValues))]
    public void Invalid_modp_public_values_give_invalid_key_information(string name, byte[] peer)
    {
        var engine = new ScalarDhEngine(new DeterministicDhRandomSource(6));
        DhPrivateKey key = engine.GenerateKeyPair(DhGroupId.Modp2048, new byte[256]).PrivateKey!;
        DhResult result = engine.ComputeSharedSecret(key, peer, new byte[256]);
        Assert.True(result.Status == DhStatus.InvalidKeyInformation, name);
        Assert.Equal(17, result.NotifyMessageType);
        Assert.False(key.IsConsumed); // nothing secret was used; the caller still owns (and disposes) it
    }

    [Fact]
    public void Smallest_and_largest_valid_modp_values_are_accepted()
    {
        ModpGroup m = ModpGroup.Modp2048;
        byte[] two = new byte[m.ByteLength];
        two[^1] = 2;
        byte[] pMinusTwo = (byte[])m.PrimeMinusOneBytes.Clone();
        pMinusTwo[^1]--;
        Assert.True(ModpKeyExchange.IsValidPublicValue(m, two));
        Assert.True(ModpKeyExchange.IsValidPublicValue(m, pMinusTwo));
    }

    public static TheoryData<DhGroupId, string> InvalidCurveValues()
    {
        var data = new TheoryData<DhGroupId, string>();
        foreach (DhGroupId id in new[] { DhGroupId.Ecp256, DhGroupId.Ecp384, DhGroupId.Ecp521, DhGroupId.Curve25519 })
        {
            foreach (string kind in new[] { "zeros", "short", "long", "tampered", "one" })
            {
                data.Add(id, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidCurveValues))]
    public void Invalid_curve_public_values_give_invalid_key_information(DhGroupId id, string kind)
    {
        var engine = new ScalarDhEngine(new DeterministicDhRandomSource(7));
        DhGroup group = DhGroupRegistry.Get(id);
        byte[] valid = new byte[group.PublicValueLength];
        DhPrivateKey peerKey = engine.GenerateKeyPair(id, valid).PrivateKey!;
        peerKey.Dispose();
        byte[] peer = kind switch
        {
            "zeros" => new byte[group.PublicValueLength],
            "short" => valid[1..],
            "long" => [.. valid, 0],
            "tampered" when group.Kind == DhGroupKind.Ecp => Tamper(valid),
            "tampered" => Curve25519FieldPrime(),
            _ => group.Kind == DhGroupKind.Ecp ? [.. new byte[group.PublicValueLength - 1], 1] : [1, .. new byte[31]],
        };

        DhPrivateKey key = engine.GenerateKeyPair(id, new byte[group.PublicValueLength]).PrivateKey!;
        DhResult result = engine.ComputeSharedSecret(key, peer, new byte[group.SharedSecretLength]);
        Assert.Equal(DhStatus.InvalidKeyInformation, result.Status);
        Assert.Equal(DhStatusExtensions.InvalidKeyInformationNotifyType, result.NotifyMessageType);
        key.Dispose();

        static byte[] Tamper(byte[] value)
        {
            byte[] copy = (byte[])value.Clone();
            copy[^1] ^= 1; // y changed: no longer on the curve
            return copy;
        }

        // u = 2^255 - 19 ≡ 0: a low-order input whose shared secret is all zeros (RFC 7748 §6.1).
        static byte[] Curve25519FieldPrime() => [0xED, .. Enumerable.Repeat((byte)0xFF, 30), 0x7F];
    }

    [Fact]
    public void Destination_too_small_is_a_result()
    {
        var engine = new ScalarDhEngine(new DeterministicDhRandomSource(8));
        foreach (DhGroupId id in new[] { DhGroupId.Modp2048, DhGroupId.Ecp256, DhGroupId.Curve25519 })
        {
            DhGroup group = DhGroupRegistry.Get(id);
            Assert.Equal(DhStatus.DestinationTooSmall, engine.GenerateKeyPair(id, new byte[group.PublicValueLength - 1]).Status);
            byte[] peer = new byte[group.PublicValueLength];
            DhPrivateKey other = engine.GenerateKeyPair(id, peer).PrivateKey!;
            DhPrivateKey key = engine.GenerateKeyPair(id, new byte[group.PublicValueLength]).PrivateKey!;
            Assert.Equal(DhStatus.DestinationTooSmall, engine.ComputeSharedSecret(key, peer, new byte[group.SharedSecretLength - 1]).Status);
            Assert.Equal(0, DhStatus.DestinationTooSmall.ToNotifyMessageType());
            other.Dispose();
            key.Dispose();
        }
    }

    [Fact]
    public async Task Request_shape_runs_through_the_engine_interface()
    {
        IDhEngine engine = new ScalarDhEngine(new DeterministicDhRandomSource(9));
        var gxi = new byte[32];
        var gxr = new byte[32];
        DhResult i = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Curve25519, gxi));
        DhResult r = await engine.ExecuteAsync(DhRequest.GenerateKeyPair(DhGroupId.Curve25519, gxr));
        var s1 = new byte[32];
        var s2 = new byte[32];
        Assert.True(engine.Execute(DhRequest.ComputeShared(i.PrivateKey!, gxr, s1)).IsSuccess);
        Assert.True((await engine.ExecuteAsync(DhRequest.ComputeShared(r.PrivateKey!, gxi, s2))).IsSuccess);
        Assert.Equal(s1, s2);
        Assert.Equal(DhStatus.InvalidRequest, engine.Execute(default).Status);
    }

    [Fact]
    public void Scalar_tier_ModExp_entry_matches_the_group_arithmetic()
    {
        DhGroup group = DhGroupRegistry.Get(DhGroupId.Modp1536);
        byte[] result = new byte[group.SharedSecretLength];
        ScalarDhEngine.ModExp([3], [1, 0], group, result);
        Assert.Equal(BigInteger.ModPow(3, 256, ModularExponentiationTests.ToBig(group.Modp!.PrimeBytes)), ModularExponentiationTests.ToBig(result));
        Assert.Throws<ArgumentException>(() => ScalarDhEngine.ModExp([3], [1], DhGroupRegistry.Get(DhGroupId.Ecp256), new byte[32]));
    }
}
