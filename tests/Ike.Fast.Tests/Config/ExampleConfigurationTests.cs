using Ike.Fast.Host.Configuration;
using Ike.Fast.Policy;

namespace Ike.Fast.Tests.Config;

/// <summary>The commented examples in examples/ must load: they are documentation that is checked.</summary>
public class ExampleConfigurationTests
{
    private static string ExamplesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var examples = Path.Combine(dir.FullName, "examples");
            if (File.Exists(Path.Combine(dir.FullName, "IkeFast.sln")) && Directory.Exists(examples))
            {
                return examples;
            }
        }

        throw new DirectoryNotFoundException("examples/ not found above the test output folder");
    }

    [Fact]
    public void PskMainMode()
    {
        using var config = ConfigurationLoader.Load(Path.Combine(ExamplesDirectory(), "psk-main-mode.json"));
        var rw = Assert.Single(config.Connections);
        Assert.Equal(ExchangeMode.Main, rw.Mode);
        Assert.Equal(2, rw.IkeProposals.Count);
        Assert.Equal(StartAction.Start, Assert.Single(rw.Children).StartAction);
    }

    [Fact]
    public void AggressiveResponderWithSeparateSecretsFile()
    {
        using var config = ConfigurationLoader.Load(Path.Combine(ExamplesDirectory(), "aggressive-responder.json"));
        var roadwarrior = Assert.Single(config.Connections);
        Assert.Equal(ExchangeMode.Aggressive, roadwarrior.Mode);
        Assert.True(roadwarrior.AggressiveModePskResponder);
        Assert.Null(roadwarrior.RemoteAddress);
        Assert.Equal(1, config.SecretCount);
        Assert.True(config.Secrets.TryGetPreSharedKey(roadwarrior.LocalAuth.Identity, roadwarrior.RemoteAuth.Identity, null, out var key));
        Assert.Equal(32, key.Length);
        Assert.Empty(config.StartChildren());
    }

    [Fact]
    public void TwoChildrenWithPfs()
    {
        using var config = ConfigurationLoader.Load(Path.Combine(ExamplesDirectory(), "two-children-pfs.json"));
        var branch = Assert.Single(config.Connections);
        Assert.Equal(["servers", "voice"], branch.Children.Select(c => c.Name));
        Assert.All(branch.Children, c => Assert.All(c.Proposals, p => Assert.NotNull(p.PfsGroup)));
        Assert.Equal(2, config.StartChildren().Count());
    }

    [Fact]
    public void RsaCertificatesWithGeneratedPki()
    {
        using var dir = new TempConfigDirectory();
        TestPki.Write(dir.Path);
        File.Copy(Path.Combine(ExamplesDirectory(), "rsa-certificates.json"), Path.Combine(dir.Path, "rsa-certificates.json"));
        using var config = ConfigurationLoader.Load(Path.Combine(dir.Path, "rsa-certificates.json"));
        var site = Assert.Single(config.Connections);
        Assert.Equal(AuthMethod.PubKey, site.LocalAuth.Method);
        Assert.True(site.LocalAuth.Certificate!.HasPrivateKey);
        Assert.Equal(TimeSpan.FromHours(8.5), site.IkeLifetime);
    }
}
