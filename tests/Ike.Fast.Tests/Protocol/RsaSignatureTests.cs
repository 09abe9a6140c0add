using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Ike.Fast.Crypto;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;
using IkeEncryptionAlgorithm = Ike.Fast.Crypto.IkeEncryptionAlgorithm;

namespace Ike.Fast.Tests.Protocol;

public class RsaSignatureTests
{
    private static PeerConfig Config(bool sideA, X509Certificate2 cert, X509Certificate2 trusted, string? remoteId = null) => new()
    {
        Name = "conn",
        LocalAddress = sideA ? Conversation.AddressA : Conversation.AddressB,
        RemoteAddress = sideA ? Conversation.AddressB : Conversation.AddressA,
        IkeProposals = ProposalParser.ParseIke("aes128-sha256-ecp256"),
        LocalAuth = new AuthConfig { Method = AuthMethod.PubKey, Certificate = cert },
        RemoteAuth = new AuthConfig { Method = AuthMethod.PubKey, CaCertificates = [trusted], Identity = remoteId is null ? null : IkeIdentity.Parse(remoteId) },
        Children = [new ChildConfigBuilder().Build(sideA)],
    };

    [Fact]
    public void SignThenVerify_RoundTrips_AndRejectsAnyChange()
    {
        using RSA key = TestPki.A.GetRSAPrivateKey()!;
        byte[] hash = SHA256.HashData("HASH_I"u8);
        byte[] signature = RsaPkcs1Signature.Sign(key, hash)!;
        Assert.Equal(256, signature.Length);
        using RSA pub = TestPki.A.GetRSAPublicKey()!;
        Assert.True(RsaPkcs1Signature.Verify(pub, hash, signature));
        signature[10] ^= 1;
        Assert.False(RsaPkcs1Signature.Verify(pub, hash, signature));
        // No DigestInfo: this is not what RSA.SignHash produces.
        Assert.NotEqual(key.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), RsaPkcs1Signature.Sign(key, hash));
    }

    [Fact]
    public void CharonsSignatureI_VerifiesWithOurCode()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "vectors", "mm-rsa-aes128-sha256-modp2048__sw-sw.json")));
        JsonElement v = doc.RootElement;
        byte[] mm5 = Convert.FromHexString(v.GetProperty("reassembled_fragments")[0].GetProperty("hex").GetString()!);
        byte[] plain = new byte[mm5.Length - IsakmpHeader.Size];
        Assert.Equal(CipherSelectionError.None, IkeCbcCipher.TryCreate(IkeEncryptionAlgorithm.AesCbc, 128, out IkeCbcCipher? cipher));
        using (cipher)
        {
            cipher!.TrySetKey(Convert.FromHexString(v.GetProperty("enc_key").GetString()!));
            // MM5's IV is the last ciphertext block of MM4... for the first encrypted message it is the initial IV.
            cipher.TryDecrypt(mm5.AsSpan(IsakmpHeader.Size), Convert.FromHexString(v.GetProperty("initial_iv").GetString()!), plain);
        }

        var chain = PayloadChainReader.ForDecryptedBody(plain, (PayloadType)mm5[16], 0);
        byte[]? cert = null;
        byte[]? sig = null;
        while (chain.TryReadNext(out RawPayload p))
        {
            if (p.Type == PayloadType.Certificate)
            {
                cert ??= p.Body[1..].ToArray();
            }
            else if (p.Type == PayloadType.Signature)
            {
                sig = p.Body.ToArray();
            }
        }

        using X509Certificate2 charon = X509CertificateLoader.LoadCertificate(cert!);
        Assert.Equal("CN=a.ikev1.test, O=IKEv1 Harness, C=XX", charon.Subject);
        Assert.True(PeerCertificateValidator.IdentityMatches(charon, IdentificationType.DerAsn1Dn, Convert.FromHexString(v.GetProperty("idii_b").GetString()!)[4..]));
        using RSA pub = charon.GetRSAPublicKey()!;
        Assert.True(RsaPkcs1Signature.Verify(pub, Convert.FromHexString(v.GetProperty("hash_i").GetString()!), sig));
    }

    [Fact]
    public void MainModeRsa_BothRoles_WithCertificates()
    {
        var c = new Conversation(Config(true, TestPki.A, TestPki.Ca, "C=XX, O=IkeFast Interop, CN=b.ikefast.test"), Config(false, TestPki.B, TestPki.Ca));
        c.A.Initiate("conn", "child", 0);
        /* MM1 HDR, SA -->  <-- MM2 HDR, SA */
        /* MM3 HDR, KE, Ni, CR -->  <-- MM4 HDR, KE, Nr, CR */
        /* MM5 HDR*, IDii, CERT, SIG_I -->  <-- MM6 HDR*, IDir, CERT, SIG_R */
        c.Pump();
        Assert.DoesNotContain(c.EventsB, e => e.Kind == EngineEventKind.Diagnostic);
        Assert.Equal(IdentificationType.DerAsn1Dn, Assert.Single(c.Of(false, EngineEventKind.Phase1Up)).RemoteIdentity!.Type);
        Assert.Contains("CN=b.ikefast.test", Assert.Single(c.Of(true, EngineEventKind.Phase1Up)).RemoteIdentity!.ToString(), StringComparison.Ordinal);
        MainModeTests.AssertPair(Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!);
        Assert.True(c.Wire[4].Bytes.Length > 700); // MM5 carries the certificate
    }

    [Fact]
    public void UntrustedCertificate_AuthenticationFailed()
    {
        var c = new Conversation(Config(true, TestPki.A, TestPki.Ca), Config(false, TestPki.B, TestPki.OtherCa));
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        EngineEvent failure = Assert.Single(c.Of(false, EngineEventKind.Diagnostic), e => e.Diagnostic == DiagnosticCode.AuthenticationFailed);
        Assert.Contains("chain", failure.Message, StringComparison.Ordinal);
        Assert.Empty(c.Of(false, EngineEventKind.Phase1Up));
    }

    [Fact]
    public void IdentityNotInCertificate_AuthenticationFailed()
    {
        PeerConfig a = Config(true, TestPki.A, TestPki.Ca);
        a = new PeerConfig
        {
            Name = a.Name, LocalAddress = a.LocalAddress, RemoteAddress = a.RemoteAddress, IkeProposals = a.IkeProposals, Children = a.Children,
            LocalAuth = new AuthConfig { Method = AuthMethod.PubKey, Certificate = TestPki.A, Identity = IkeIdentity.Parse("@mallory.ikefast.test") },
            RemoteAuth = a.RemoteAuth,
        };
        var c = new Conversation(a, Config(false, TestPki.B, TestPki.Ca));
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Contains(c.Of(false, EngineEventKind.Diagnostic), e => e.Diagnostic == DiagnosticCode.AuthenticationFailed && e.Message!.Contains("bound", StringComparison.Ordinal));
        Assert.Empty(c.Of(false, EngineEventKind.Phase1Up));
    }

    [Fact]
    public void FqdnAndAddressIdentities_MatchSubjectAltNames()
    {
        Assert.True(PeerCertificateValidator.IdentityMatches(TestPki.B, IkeIdentity.Parse("@b.ikefast.test")));
        Assert.True(PeerCertificateValidator.IdentityMatches(TestPki.B, IkeIdentity.Parse("192.0.2.2")));
        Assert.False(PeerCertificateValidator.IdentityMatches(TestPki.B, IkeIdentity.Parse("192.0.2.1")));
        Assert.True(PeerCertificateValidator.IdentityMatches(TestPki.B, IkeIdentity.Parse("C=XX, O=IkeFast Interop, CN=b.ikefast.test")));
    }

    [Fact]
    public void AggressiveModeRsa_BothRoles()
    {
        static PeerConfig Aggressive(PeerConfig p) => new()
        {
            Name = p.Name, LocalAddress = p.LocalAddress, RemoteAddress = p.RemoteAddress, IkeProposals = p.IkeProposals,
            Children = p.Children, LocalAuth = p.LocalAuth, RemoteAuth = p.RemoteAuth, Mode = ExchangeMode.Aggressive,
        };
        var c = new Conversation(Aggressive(Config(true, TestPki.A, TestPki.Ca)), Aggressive(Config(false, TestPki.B, TestPki.Ca)));
        c.A.Initiate("conn", "child", 0);
        /* AM1 HDR, SA, KE, Ni, IDii -->  <-- AM2 HDR, SA, KE, Nr, IDir, CERT, SIG_R  AM3 HDR*, CERT, SIG_I --> */
        c.Pump();
        Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        MainModeTests.AssertPair(Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!, Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!);
    }

    [Fact]
    public void LargeMm5_IsSentAsIkeFragments_AndReassembled()
    {
        var options = new EndpointOptions { FragmentSize = 576 };
        var c = new Conversation(Config(true, TestPki.A, TestPki.Ca), Config(false, TestPki.B, TestPki.Ca), options, options);
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        Assert.Single(c.Of(false, EngineEventKind.Phase1Up));
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
        List<byte[]> fragments = c.Wire.Where(w => w.Bytes[16] == (byte)PayloadType.Fragment).Select(w => w.Bytes).ToList();
        Assert.True(fragments.Count >= 4); // MM5 and MM6, each over 576 bytes
        Assert.All(fragments, f => Assert.True(f.Length <= 576));
    }

    /// <summary>
    /// Charon's recorded RSA session fed to our responder: MM1, MM3, then MM5 in two IKE fragments (ID, CERT, SIG, CR,
    /// N). The reassembled MM5 must decrypt, pass the script (CR included), carry a SIG_I that verifies and an ID bound
    /// to charon's certificate; only the chain fails, because the vectors do not include the harness CA.
    /// </summary>
    [Fact]
    public void CharonsFragmentedRsaMm5_IsReassembledDecryptedAndItsSignatureVerified()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "vectors", "mm-rsa-aes128-sha256-modp2048__sw-sw.json")));
        JsonElement v = doc.RootElement;
        JsonElement[] messages = [.. v.GetProperty("messages").EnumerateArray()];
        var dh = new RecordedDhEngine().Expect(Convert.FromHexString(v.GetProperty("g_xr").GetString()!), Convert.FromHexString(v.GetProperty("shared_secret").GetString()!));
        var random = new DeterministicEngineRandom(3).Then(Convert.FromHexString(v.GetProperty("cky_r").GetString()!)).Then(Convert.FromHexString(v.GetProperty("nr").GetString()!));
        var config = new PeerConfig
        {
            Name = "rsa",
            LocalAddress = System.Net.IPAddress.Parse("192.0.2.2"),
            RemoteAddress = System.Net.IPAddress.Parse("192.0.2.1"),
            IkeProposals = ProposalParser.ParseIke("aes128-sha256-modp2048"),
            LocalAuth = new AuthConfig { Method = AuthMethod.PubKey, Certificate = TestPki.B },
            RemoteAuth = new AuthConfig { Method = AuthMethod.PubKey, CaCertificates = [TestPki.Ca] },
        };
        var endpoint = new Endpoint([config], new InMemorySecretStore(), dh, random, new CountingSpiAllocator(1));
        var local = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.2"), 500);
        var remote = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.1"), 500);
        var events = new List<EngineEvent>();
        foreach (int index in new[] { 0, 2, 4, 5 })
        {
            endpoint.Handle(0, local, remote, Convert.FromHexString(messages[index].GetProperty("hex").GetString()!));
            while (endpoint.PollEvent(out EngineEvent e))
            {
                events.Add(e);
            }
        }

        EngineEvent failure = Assert.Single(events, e => e.Kind == EngineEventKind.Diagnostic);
        Assert.Equal(DiagnosticCode.AuthenticationFailed, failure.Diagnostic);
        Assert.Contains("chain does not validate", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondHandshake_ReusesTheValidatedChain_OnBothSides_AndStillChecksTheIdentity()
    {
        var c = new Conversation(Config(true, TestPki.A, TestPki.Ca), Config(false, TestPki.B, TestPki.Ca));
        c.A.Initiate("conn", "child", 0);
        c.Pump();
        EngineEvent up = Assert.Single(c.Of(true, EngineEventKind.Phase1Up));
        Assert.Equal((0L, 1L), (c.A.CertificateCache.Hits, c.A.CertificateCache.Misses));
        Assert.Equal((0L, 1L), (c.B.CertificateCache.Hits, c.B.CertificateCache.Misses));

        c.A.DeletePhase1(up.InitiatorCookie, up.ResponderCookie, c.Now);
        c.Pump();
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Equal(2, c.Of(true, EngineEventKind.Phase1Up).Count);
        Assert.Equal(2, c.Of(false, EngineEventKind.Phase1Up).Count);
        Assert.Equal((1L, 1L), (c.A.CertificateCache.Hits, c.A.CertificateCache.Misses));
        Assert.Equal((1L, 1L), (c.B.CertificateCache.Hits, c.B.CertificateCache.Misses));

        // A hit skips only the chain: the ID must still be bound to the (cached) certificate.
        PeerConfig a = c.ConfigA;
        var mallory = new PeerConfig
        {
            Name = "mallory", LocalAddress = a.LocalAddress, RemoteAddress = a.RemoteAddress, IkeProposals = a.IkeProposals, Children = a.Children,
            LocalAuth = new AuthConfig { Method = AuthMethod.PubKey, Certificate = TestPki.A, Identity = IkeIdentity.Parse("@mallory.ikefast.test") },
            RemoteAuth = a.RemoteAuth,
        };
        c.A.Initiate(mallory, a.Children[0], c.Now);
        c.Pump();
        Assert.Contains(c.Of(false, EngineEventKind.Diagnostic), e => e.Diagnostic == DiagnosticCode.AuthenticationFailed && e.Message!.Contains("bound", StringComparison.Ordinal));
        Assert.Equal(2, c.B.CertificateCache.Hits);
        Assert.Equal(2, c.Of(false, EngineEventKind.Phase1Up).Count);
    }
}
