using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.LoadTest;

namespace Ike.Fast.Tests.LoadTest;

/// <summary>
/// The generator's reused DH key pair: every pair handed out has the run's public value but is its own single-use
/// key, and g^xy computed with it agrees with the other side's (so the handshake is still fully verified).
/// </summary>
public sealed class ReusedKeyPairDhEngineTests
{
    [Theory]
    [InlineData(DhGroupId.Modp2048)]
    [InlineData(DhGroupId.Ecp256)]
    [InlineData(DhGroupId.Curve25519)]
    public void Batched_SamePublicValue_EachKeySingleUse_SharedSecretAgrees(DhGroupId id)
    {
        using var engine = new ReusedKeyPairDhEngine(new BatchedDhEngine(SystemDhRandomSource.Instance, pooledGroups: []));
        var peer = new ScalarDhEngine(SystemDhRandomSource.Instance);
        DhGroup group = DhGroupRegistry.Get(id);
        byte[] first = new byte[group.PublicValueLength];
        byte[] second = new byte[group.PublicValueLength];

        DhResult a = engine.Execute(DhRequest.GenerateKeyPair(id, first));
        DhResult b = engine.Execute(DhRequest.GenerateKeyPair(id, second));

        Assert.True(a.IsSuccess);
        Assert.True(b.IsSuccess);
        Assert.Equal(first, second);
        Assert.NotSame(a.PrivateKey, b.PrivateKey);
        Assert.Equal(2, engine.ReusedKeyPairs);
        foreach (DhPrivateKey ours in new[] { a.PrivateKey!, b.PrivateKey! })
        {
            byte[] theirPublic = new byte[group.PublicValueLength];
            using DhPrivateKey theirs = peer.Execute(DhRequest.GenerateKeyPair(id, theirPublic)).PrivateKey!;
            byte[] ourSecret = new byte[group.SharedSecretLength];
            byte[] theirSecret = new byte[group.SharedSecretLength];

            Assert.True(engine.Execute(DhRequest.ComputeShared(ours, theirPublic, ourSecret)).IsSuccess);
            Assert.True(peer.Execute(DhRequest.ComputeShared(theirs, first, theirSecret)).IsSuccess);
            Assert.Equal(theirSecret, ourSecret);
            Assert.True(ours.IsConsumed); // single use, like a fresh key
        }
    }

    [Fact]
    public void ScalarEngine_CurvesAreNotReused_ModpIs()
    {
        using var engine = new ReusedKeyPairDhEngine(new ScalarDhEngine(SystemDhRandomSource.Instance));
        byte[] x1 = new byte[32];
        byte[] x2 = new byte[32];
        using DhPrivateKey? k1 = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Curve25519, x1)).PrivateKey;
        using DhPrivateKey? k2 = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Curve25519, x2)).PrivateKey;
        Assert.NotEqual(x1, x2); // raw curve scalars need the batched engine: fresh pairs here
        Assert.Equal(0, engine.ReusedKeyPairs);

        byte[] m1 = new byte[256];
        byte[] m2 = new byte[256];
        using DhPrivateKey? k3 = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, m1)).PrivateKey;
        using DhPrivateKey? k4 = engine.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, m2)).PrivateKey;
        Assert.Equal(m1, m2);
        Assert.Equal(2, engine.ReusedKeyPairs);

        // The synchronous engine computes g^xy with the short reused exponent too, and agrees with the peer.
        var peer = new ScalarDhEngine(SystemDhRandomSource.Instance);
        byte[] theirPublic = new byte[256];
        using DhPrivateKey theirs = peer.Execute(DhRequest.GenerateKeyPair(DhGroupId.Modp2048, theirPublic)).PrivateKey!;
        byte[] ourSecret = new byte[256];
        byte[] theirSecret = new byte[256];
        Assert.True(engine.Execute(DhRequest.ComputeShared(k3!, theirPublic, ourSecret)).IsSuccess);
        Assert.True(peer.Execute(DhRequest.ComputeShared(theirs, m1, theirSecret)).IsSuccess);
        Assert.Equal(theirSecret, ourSecret);
    }

    [Theory]
    [InlineData(DhGroupId.Modp1024)]
    [InlineData(DhGroupId.Modp2048)]
    [InlineData(DhGroupId.Modp3072)]
    public void Modp_ShortReusedExponent_FullSizePublicValue_AgreesWithThePeer(DhGroupId id)
    {
        var options = new DhEngineOptions { ExplicitlyEnabledLegacyGroups = new HashSet<DhGroupId> { DhGroupId.Modp1024 } };
        using var engine = new ReusedKeyPairDhEngine(new BatchedDhEngine(SystemDhRandomSource.Instance, options, pooledGroups: []));
        var peer = new ScalarDhEngine(SystemDhRandomSource.Instance, options);
        DhGroup group = DhGroupRegistry.Get(id);
        byte[] ours = new byte[group.PublicValueLength];
        using DhPrivateKey key = engine.Execute(DhRequest.GenerateKeyPair(id, ours)).PrivateKey!;

        Assert.Equal(ReusedKeyPairDhEngine.ReusedExponentBytes, key.Exponent!.Length);
        Assert.True(key.Exponent[0] >= 0x80); // full 32 bits: g^x wraps around p
        Assert.True(ModpKeyExchange.IsValidPublicValue(group.Modp!, ours));
        Assert.True(ours[0] != 0 || ours[1] != 0); // not a small power of two
        byte[] theirPublic = new byte[group.PublicValueLength];
        using DhPrivateKey theirs = peer.Execute(DhRequest.GenerateKeyPair(id, theirPublic)).PrivateKey!;
        byte[] ourSecret = new byte[group.SharedSecretLength];
        byte[] theirSecret = new byte[group.SharedSecretLength];
        Assert.True(engine.Execute(DhRequest.ComputeShared(key, theirPublic, ourSecret)).IsSuccess);
        Assert.True(peer.Execute(DhRequest.ComputeShared(theirs, ours, theirSecret)).IsSuccess);
        Assert.Equal(theirSecret, ourSecret);
    }
}
