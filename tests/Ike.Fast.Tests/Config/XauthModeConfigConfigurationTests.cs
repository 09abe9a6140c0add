using System.Net;
using System.Text;
using Ike.Fast.Policy;
using Ike.Fast.Protocol.Transaction;

namespace Ike.Fast.Tests.Config;

/// <summary>
/// The road-warrior keys: <c>xauth</c>/<c>xauth_id</c>, <c>daemon.xauth_users</c>, <c>secrets.xauth-*</c>,
/// <c>pools { NAME { addrs, dns, split_include, banner } }</c>, <c>connections.X.pools</c>, <c>vips</c>, <c>pull</c>.
/// </summary>
public sealed class XauthModeConfigConfigurationTests
{
    private const string Pools = """
        , "pools": { "rw": { "addrs": "10.3.0.0/24", "dns": [ "10.3.0.53", "10.3.0.54" ],
                             "split_include": "10.1.0.0/16", "banner": "welcome" } }
        """;

    [Fact]
    public void XauthServerLoadsTheUsersFile()
    {
        using var dir = new TempConfigDirectory();
        dir.Write("users", "# comment\n" + Pbkdf2XauthBackend.CreateLine("alice", "secret") + "\n");
        using var config = dir.Load(ConfigText.Psk(connection: ", \"xauth\": \"server\"",
            top: ", \"daemon\": { \"xauth_users\": \"users\" }"));
        PeerConfig c = Assert.Single(config.Connections);
        Assert.Equal(XauthRole.Server, c.Xauth);
        Assert.Equal(Path.Combine(dir.Path, "users"), config.Daemon.XauthUsers);
        Assert.NotNull(config.XauthBackend);
        Assert.True(config.XauthBackend!.Verify("rw", "alice", Encoding.UTF8.GetBytes("secret")));
        Assert.False(config.XauthBackend.Verify("rw", "alice", Encoding.UTF8.GetBytes("wrong")));
    }

    [Fact]
    public void XauthServerWithoutUsersFileIsAnError()
    {
        using var dir = new TempConfigDirectory();
        var errors = dir.Errors(ConfigText.Psk(connection: ", \"xauth\": \"server\""));
        Assert.Contains(errors, e => e.Contains("connections:rw:xauth", StringComparison.Ordinal)
                                     && e.Contains("daemon.xauth_users", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingOrMalformedUsersFileIsAnError()
    {
        using var dir = new TempConfigDirectory();
        var missing = dir.Errors(ConfigText.Psk(top: ", \"daemon\": { \"xauth_users\": \"nope\" }"));
        Assert.Contains(missing, e => e.Contains("daemon:xauth_users", StringComparison.Ordinal) && e.Contains("not found", StringComparison.Ordinal));

        dir.Write("bad", "alice:plaintext\n");
        var bad = dir.Errors(ConfigText.Psk(connection: ", \"xauth\": \"server\"", top: ", \"daemon\": { \"xauth_users\": \"bad\" }"));
        var single = Assert.Single(bad);
        Assert.Contains("line 1", single, StringComparison.Ordinal);
        Assert.DoesNotContain("plaintext", single, StringComparison.Ordinal);
    }

    [Fact]
    public void XauthClientTakesItsPasswordFromSecrets()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk(connection: ", \"xauth\": \"client\", \"xauth_id\": \"alice\"")
            .Replace("\"ike-rw\":", "\"xauth-alice\": { \"id\": \"alice\", \"secret\": \"pw\" }, \"ike-rw\":", StringComparison.Ordinal));
        PeerConfig c = Assert.Single(config.Connections);
        Assert.Equal(XauthRole.Client, c.Xauth);
        Assert.Equal("alice", c.XauthUserName);
        Assert.Equal("pw", c.XauthPassword);
    }

    [Fact]
    public void XauthClientErrors()
    {
        using var dir = new TempConfigDirectory();
        Assert.Contains(dir.Errors(ConfigText.Psk(connection: ", \"xauth\": \"client\"")),
            e => e.Contains("needs xauth_id", StringComparison.Ordinal));
        Assert.Contains(dir.Errors(ConfigText.Psk(connection: ", \"xauth\": \"client\", \"xauth_id\": \"bob\"")),
            e => e.Contains("no secrets:xauth-* entry with id 'bob'", StringComparison.Ordinal));
        Assert.Contains(dir.Errors(ConfigText.Psk(connection: ", \"xauth\": \"maybe\"")),
            e => e.Contains("invalid xauth 'maybe'", StringComparison.Ordinal));
        Assert.Contains(dir.Errors(ConfigText.Psk(connection: ", \"xauth_id\": \"bob\"")),
            e => e.Contains("xauth_id without xauth=client", StringComparison.Ordinal));
    }

    [Fact]
    public void PoolsMakeAModeConfigServer()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk(connection: ", \"pools\": \"rw\"", top: Pools));
        var m = Assert.Single(config.Connections).ModeConfig;
        Assert.NotNull(m);
        Assert.Equal(ModeConfigRole.Server, m!.Role);
        Assert.False(m.Push);
        Assert.Equal("10.3.0.0/24", m.Ipv4Pool!.Prefix);
        Assert.Null(m.Ipv6Pool);
        Assert.Equal([IPAddress.Parse("10.3.0.53"), IPAddress.Parse("10.3.0.54")], m.Dns);
        Assert.Equal([TrafficSelector.Parse("10.1.0.0/16")], m.SplitInclude);
        Assert.Equal("welcome", m.Banner);
        Assert.True(m.Ipv4Pool.TryAllocate(out var lease));
        Assert.Equal(IPAddress.Parse("10.3.0.1"), lease);
    }

    [Fact]
    public void PullNoIsPushAndVipsMakeAClient()
    {
        using var dir = new TempConfigDirectory();
        using (var config = dir.Load(ConfigText.Psk(connection: ", \"pools\": [ \"rw\" ], \"pull\": \"no\"", top: Pools)))
        {
            Assert.True(Assert.Single(config.Connections).ModeConfig!.Push);
        }

        using var client = dir.Load(ConfigText.Psk(connection: ", \"vips\": \"0.0.0.0\""));
        var m = Assert.Single(client.Connections).ModeConfig;
        Assert.Equal(ModeConfigRole.Client, m!.Role);
        Assert.Null(Assert.Single(dir.Load(ConfigText.Psk()).Connections).ModeConfig);
    }

    [Fact]
    public void PoolErrorsNameTheKey()
    {
        using var dir = new TempConfigDirectory();
        Assert.Contains(dir.Errors(ConfigText.Psk(connection: ", \"pools\": \"nope\"", top: Pools)),
            e => e.Contains("connections:rw:pools", StringComparison.Ordinal) && e.Contains("unknown pool 'nope'", StringComparison.Ordinal));
        var errors = dir.Errors(ConfigText.Psk(top: """
            , "pools": { "p": { "addrs": "10.3.0.1-10.3.0.9", "dns": "10.0.0.0/8", "split_include": "fd00::/64", "bogus": "x" } }
            """));
        Assert.Contains(errors, e => e.Contains("pools:p:addrs", StringComparison.Ordinal) && e.Contains("invalid pool", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("pools:p:dns", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("pools:p:split_include", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown key 'bogus'", StringComparison.Ordinal));
        Assert.Contains(dir.Errors(ConfigText.Psk(connection: ", \"vips\": \"10.9.9.9\"")),
            e => e.Contains("invalid vips", StringComparison.Ordinal));
        Assert.Contains(dir.Errors(ConfigText.Psk(connection: ", \"vips\": \"0.0.0.0\", \"pools\": \"rw\"", top: Pools)),
            e => e.Contains("together", StringComparison.Ordinal));
    }
}
