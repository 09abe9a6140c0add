using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Ike.Fast.LoadTest;
using Ike.Fast.Policy;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.LoadTest;

/// <summary>
/// <c>ikefast loadtest --auth rsa</c> (generated CA, <c>--pki DIR</c>, <c>--cert/--key/--ca</c>) and PFS
/// (<c>--esp ...-modp2048</c>) end to end against the embedded responder.
/// </summary>
// Sequential with the other load tests: each run wants the cores; in parallel, retransmission timers fire spuriously.
[Collection("LoadTest")]
public sealed class LoadTestAuthAndPfsTests
{
    [Fact]
    public void RsaSignatures_GeneratedCa_EveryHandshakeCompletes()
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions { Auth = AuthMethod.PubKey, Count = 12, Concurrency = 4, Warmup = 2 });

        Assert.True(r.Failed == 0, string.Join(", ", r.FailuresByReason.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(12, r.Completed);
        Assert.Equal(0, r.ResponderIkeSasLeft);
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(r));
        Assert.Equal("rsa", doc.RootElement.GetProperty("options").GetProperty("auth").GetString());
    }

    [Fact]
    public void MainModePfs_EveryQuickModeRunsItsOwnDiffieHellman()
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions { Esp = "aes128-sha256-modp2048", Count = 10, Concurrency = 5, Warmup = 2 });

        Assert.Equal(10, r.Completed);
        Assert.Equal(10, r.ChildSas);
        Assert.Equal(10, r.ChildSasWithPfs);
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(r));
        Assert.Equal(10, doc.RootElement.GetProperty("child_sas_pfs").GetInt64());
    }

    [Fact]
    public void PkiDirectory_IsCreatedOnce_ThenReused_AndPeersGetTheirOwnCertificates()
    {
        using var dir = new TempConfigDirectory();
        string pkiDir = Path.Combine(dir.Path, "pki");
        var options = new LoadTestOptions { Auth = AuthMethod.PubKey, PkiDirectory = pkiDir };
        string caThumbprint;
        using (LoadTestPki first = LoadTestPki.Create(options))
        {
            caThumbprint = first.Ca.Thumbprint;
            foreach (string f in new[] { "ca.crt", "ca.key", "responder.crt", "responder.key" })
            {
                Assert.True(File.Exists(Path.Combine(pkiDir, f)), f);
            }

            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(pkiDir, "ca.key")));
            }
        }

        using LoadTestPki again = LoadTestPki.Create(options);
        Assert.Equal(caThumbprint, again.Ca.Thumbprint);
        X509Certificate2 p1 = again.PeerCertificate(1);
        X509Certificate2 p2 = again.PeerCertificate(2);
        Assert.Same(p1, again.PeerCertificate(1));
        Assert.NotEqual(p1.Subject, p2.Subject);
        Assert.NotEqual(p1.SerialNumber, p2.SerialNumber);
        Assert.True(p1.HasPrivateKey);
        Assert.Contains("peer1.loadtest.ikefast", p1.Subject, StringComparison.Ordinal);
        foreach (X509Certificate2 leaf in new[] { p1, again.Responder! })
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(again.Ca);
            Assert.True(chain.Build(leaf), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
        }
    }

    [Fact]
    public void CertificateFiles_DriveATargetThatTrustsTheirCa()
    {
        // The responder is the embedded one configured from a --pki directory, standing in for charon or pluto set up
        // with DIR/ca.crt and DIR/responder.crt; the generator then presents a certificate read from files.
        using var dir = new TempConfigDirectory();
        string pkiDir = Path.Combine(dir.Path, "pki");
        var responderOptions = new LoadTestOptions { Auth = AuthMethod.PubKey, PkiDirectory = pkiDir };
        using LoadTestPki pki = LoadTestPki.Create(responderOptions);
        X509Certificate2 peer = pki.PeerCertificate(42);
        string certFile = dir.Write("peer.crt", peer.ExportCertificatePem());
        using (RSA key = peer.GetRSAPrivateKey()!)
        {
            dir.Write("peer.key", key.ExportPkcs8PrivateKeyPem());
        }

        using var responder = new EmbeddedResponder(responderOptions, pki);
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions
        {
            Target = responder.EndPoint,
            Auth = AuthMethod.PubKey,
            CertificateFile = certFile,
            KeyFile = Path.Combine(dir.Path, "peer.key"),
            CaFile = Path.Combine(pkiDir, "ca.crt"),
            Count = 6,
            Concurrency = 3,
            Warmup = 0,
        });

        Assert.True(r.Failed == 0, string.Join(", ", r.FailuresByReason.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(6, r.Completed);
    }

    [Fact]
    public void RsaOptions_AreValidated()
    {
        var target = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 500);
        Assert.Throws<ArgumentException>(() => new LoadTestOptions { Auth = AuthMethod.PubKey, Target = target }.Validate());
        Assert.Throws<ArgumentException>(() => new LoadTestOptions { CertificateFile = "a.crt" }.Validate());
        Assert.Throws<ArgumentException>(() => new LoadTestOptions { PkiDirectory = "/tmp/x" }.Validate());
        Assert.Throws<ArgumentException>(() => new LoadTestOptions
        {
            Auth = AuthMethod.PubKey, Target = target, CertificateFile = "/nonexistent.crt", KeyFile = "/nonexistent.key", CaFile = "/nonexistent-ca.crt",
        }.Validate());
        new LoadTestOptions { Auth = AuthMethod.PubKey }.Validate();
        new LoadTestOptions { Auth = AuthMethod.PubKey, Target = target, PkiDirectory = "/tmp/x" }.Validate();
    }

    [Fact]
    public void EmbeddedRsaConfiguration_UsesPubkeyOnBothSides()
    {
        using JsonDocument doc = JsonDocument.Parse(EmbeddedResponder.ConfigurationJson(new LoadTestOptions { Auth = AuthMethod.PubKey }));
        JsonElement conn = doc.RootElement.GetProperty("connections").GetProperty("loadtest");
        Assert.Equal("pubkey", conn.GetProperty("local").GetProperty("auth").GetString());
        Assert.Equal("ca.crt", conn.GetProperty("remote").GetProperty("cacerts")[0].GetString());
        Assert.True(doc.RootElement.GetProperty("secrets").TryGetProperty("private-responder", out _));
    }
}
