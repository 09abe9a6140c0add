using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

public class PeerCertificateCacheTests
{
    private static readonly DateTime Now = DateTime.UtcNow;

    /// <summary>The DER bytes of <paramref name="certificates"/> back to back, as CERT payload data inside a datagram.</summary>
    private static (byte[] Source, (int Start, int Length)[] Spans) Payloads(params X509Certificate2[] certificates)
    {
        var source = new List<byte> { 0xEE }; // something before, like a header
        var spans = new List<(int, int)>();
        foreach (X509Certificate2 c in certificates)
        {
            spans.Add((source.Count, c.RawData.Length));
            source.AddRange(c.RawData);
        }

        return ([.. source], [.. spans]);
    }

    private static CertificateChainKey Key(PeerCertificateCache cache, IReadOnlyList<X509Certificate2> anchors, params X509Certificate2[] chain)
    {
        (byte[] source, (int, int)[] spans) = Payloads(chain);
        return cache.KeyOf(anchors, source, spans);
    }

    private static void AddValidated(PeerCertificateCache cache, in CertificateChainKey key, X509Certificate2 endEntity, X509Certificate2[] anchors)
    {
        Assert.True(PeerCertificateValidator.TryValidate(anchors, endEntity, [], Now, out string error, out DateTime from, out DateTime to), error);
        X509Certificate2 copy = X509CertificateLoader.LoadCertificate(endEntity.RawData);
        cache.Add(key, copy, new RsaPublicKey(copy.GetRSAPublicKey()!), from, to);
    }

    [Fact]
    public void SecondLookup_Hits_AndReturnsTheStoredCertificateAndKey()
    {
        using var cache = new PeerCertificateCache();
        X509Certificate2[] anchors = [TestPki.Ca];
        CertificateChainKey key = Key(cache, anchors, TestPki.A);
        Assert.False(cache.TryGet(key, Now, out _, out _));
        AddValidated(cache, key, TestPki.A, anchors);
        Assert.True(cache.TryGet(Key(cache, anchors, TestPki.A), Now, out X509Certificate2 cert, out RsaPublicKey publicKey));
        Assert.Equal(TestPki.A.RawData, cert.RawData);
        using RSA signer = TestPki.A.GetRSAPrivateKey()!;
        byte[] hash = SHA256.HashData("HASH_I"u8);
        Assert.True(publicKey.Verify(hash, RsaPkcs1Signature.Sign(signer, hash)));
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));
    }

    [Fact]
    public void OtherTrustAnchors_Miss()
    {
        using var cache = new PeerCertificateCache();
        CertificateChainKey key = Key(cache, [TestPki.Ca], TestPki.A);
        AddValidated(cache, key, TestPki.A, [TestPki.Ca]);
        // A reloaded configuration with another CA set (a CA added, or replaced) never finds the old entry.
        Assert.False(cache.TryGet(Key(cache, [TestPki.OtherCa], TestPki.A), Now, out _, out _));
        Assert.False(cache.TryGet(Key(cache, [TestPki.Ca, TestPki.OtherCa], TestPki.A), Now, out _, out _));
        // The same anchors in new objects (a reload of unchanged files) still hit.
        using X509Certificate2 reloaded = X509CertificateLoader.LoadCertificate(TestPki.Ca.RawData);
        Assert.True(cache.TryGet(Key(cache, [reloaded], TestPki.A), Now, out _, out _));
    }

    [Fact]
    public void OutsideTheValidityWindow_Misses_AndDropsTheEntry()
    {
        using var cache = new PeerCertificateCache();
        X509Certificate2[] anchors = [TestPki.Ca];
        CertificateChainKey key = Key(cache, anchors, TestPki.A);
        AddValidated(cache, key, TestPki.A, anchors);
        Assert.False(cache.TryGet(key, TestPki.A.NotAfter.AddSeconds(1), out _, out _));
        Assert.Equal(0, cache.Count);
        // After expiry the engine rebuilds the chain, which fails by itself.
        Assert.False(PeerCertificateValidator.TryValidate(anchors, TestPki.A, [], TestPki.A.NotAfter.AddDays(1), out string error));
        Assert.Contains("NotTimeValid", error, StringComparison.Ordinal);
        AddValidated(cache, key, TestPki.A, anchors);
        Assert.False(cache.TryGet(key, TestPki.A.NotBefore.AddSeconds(-1), out _, out _));
    }

    [Fact]
    public void ValidityWindow_IsTheChainsNarrowest()
    {
        X509Certificate2[] anchors = [TestPki.Ca];
        Assert.True(PeerCertificateValidator.TryValidate(anchors, TestPki.A, [], Now, out _, out DateTime from, out DateTime to));
        Assert.Equal(TestPki.A.NotAfter.ToUniversalTime(), to); // the end entity ends before its CA
        Assert.Equal(new[] { TestPki.A.NotBefore, TestPki.Ca.NotBefore }.Max().ToUniversalTime(), from);
    }

    [Fact]
    public void DifferentCertificateWithTheSameSubject_Misses()
    {
        using var cache = new PeerCertificateCache();
        X509Certificate2[] anchors = [TestPki.Ca];
        CertificateChainKey key = Key(cache, anchors, TestPki.A);
        AddValidated(cache, key, TestPki.A, anchors);
        using X509Certificate2 impostor = SelfSignedWithSubject(TestPki.A.Subject);
        Assert.Equal(TestPki.A.Subject, impostor.Subject);
        Assert.False(cache.TryGet(Key(cache, anchors, impostor), Now, out _, out _));
        // Nor does the same end entity with extra intermediates (another chain).
        Assert.False(cache.TryGet(Key(cache, anchors, TestPki.A, TestPki.OtherCa), Now, out _, out _));
    }

    [Fact]
    public void Capacity_IsRespected_WithClockReplacement()
    {
        using var cache = new PeerCertificateCache(capacity: 3);
        X509Certificate2[] anchors = [TestPki.Ca];
        // Distinct keys for the same certificate: chains with different (ignored) trailing intermediates.
        X509Certificate2[] extras = [TestPki.A, TestPki.B, TestPki.Ca, TestPki.OtherCa];
        var keys = extras.Select(x => Key(cache, anchors, TestPki.A, x)).ToArray();
        for (int i = 0; i < 3; i++)
        {
            AddValidated(cache, keys[i], TestPki.A, anchors);
        }

        Assert.Equal(3, cache.Count);
        Assert.True(cache.TryGet(keys[0], Now, out _, out _)); // referenced again
        AddValidated(cache, keys[3], TestPki.A, anchors);
        Assert.Equal(3, cache.Count);
        Assert.True(cache.TryGet(keys[3], Now, out _, out _));
        Assert.True(cache.TryGet(keys[0], Now, out _, out _)); // kept: hit since the hand last passed
        Assert.False(cache.TryGet(keys[1], Now, out _, out _)); // evicted: never hit
        Assert.True(cache.TryGet(keys[2], Now, out _, out _));
    }

    [Fact]
    public void Hit_AllocatesNothing()
    {
        using var cache = new PeerCertificateCache();
        X509Certificate2[] anchors = [TestPki.Ca];
        (byte[] source, (int, int)[] spans) = Payloads(TestPki.A);
        CertificateChainKey key = cache.KeyOf(anchors, source, spans);
        AddValidated(cache, key, TestPki.A, anchors);
        DateTime now = Now;
        for (int i = 0; i < 10; i++)
        {
            Assert.True(cache.TryGet(cache.KeyOf(anchors, source, spans), now, out _, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            cache.TryGet(cache.KeyOf(anchors, source, spans), now, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OpenSslVerify_AgreesWithTheManagedCheck()
    {
        using RSA signer = TestPki.B.GetRSAPrivateKey()!;
        using RSA managed = TestPki.B.GetRSAPublicKey()!;
        using var prepared = new RsaPublicKey(TestPki.B.GetRSAPublicKey()!);
        foreach (int hashLength in new[] { 20, 32, 48, 64 })
        {
            byte[] hash = RandomNumberGenerator.GetBytes(hashLength);
            byte[] signature = RsaPkcs1Signature.Sign(signer, hash)!;
            Assert.True(RsaPkcs1Signature.Verify(managed, hash, signature));
            Assert.True(prepared.Verify(hash, signature));
            byte[] other = (byte[])hash.Clone();
            other[^1] ^= 1;
            Assert.False(prepared.Verify(other, signature));
            Assert.False(prepared.Verify(hash[..^1], signature));
            signature[7] ^= 0x40;
            Assert.False(RsaPkcs1Signature.Verify(managed, hash, signature));
            Assert.False(prepared.Verify(hash, signature));
        }

        Assert.False(prepared.Verify(new byte[32], new byte[256]));
        Assert.False(prepared.Verify(new byte[32], []));
    }

    private static X509Certificate2 SelfSignedWithSubject(string subject)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
