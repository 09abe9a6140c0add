using Ike.Fast.Host.Control;

namespace Ike.Fast.Tests.Host;

public class SaRegistryTests
{
    internal static IkeSaStatus Ike(string icookie, long established) => new("rw", icookie, "00000000000000aa", "127.0.0.1:500",
        "127.0.0.2:500", "127.0.0.2", true, "established", "aes128/sha256/modp2048", established, 0);

    internal static ChildSaStatus Child(string spiIn, long installed) => new("rw", "net", "esp", "tunnel", "127.0.0.1", "127.0.0.2",
        spiIn, "c0000002", "AesCbc-128", "HmacSha256", null, "198.51.100.0/24", "203.0.113.0/24", 3600, installed, 0);

    [Fact]
    public void SnapshotComputesAgesAndRemovalWorks()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000_000));
        var registry = new SaRegistry(time);
        registry.AddIke(Ike("0000000000000001", 1_000_000));
        registry.AddChild(Child("c0000001", 1_000_000));
        time.Advance(TimeSpan.FromSeconds(42));

        var (ike, child) = registry.Snapshot();
        Assert.Equal(42, Assert.Single(ike).AgeSeconds);
        Assert.Equal(42, Assert.Single(child).AgeSeconds);

        // Re-adding the same SA replaces it rather than duplicating it.
        registry.AddIke(Ike("0000000000000001", 1_000_042));
        Assert.Equal(1, registry.IkeCount);

        registry.RemoveChild("c0000001");
        registry.RemoveIke("0000000000000001", "00000000000000aa");
        Assert.Equal(0, registry.IkeCount);
        Assert.Equal(0, registry.ChildCount);
    }

    [Fact]
    public void RoadWarriorFieldsAreUpdatedAndSerialisedSnakeCase()
    {
        var registry = new SaRegistry(new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000_000)));
        registry.AddIke(Ike("0000000000000001", 1_000_000));
        registry.UpdateIke("0000000000000001", "00000000000000aa", row => row with
        {
            Remote = "127.0.0.2:31000",
            Nat = "remote",
            UdpEncapsulation = true,
            VirtualIps = ["10.3.0.1"],
            XauthUser = "alice",
        });
        registry.UpdateIke("ffffffffffffffff", "00000000000000aa", _ => throw new InvalidOperationException("not this SA"));
        var ike = Assert.Single(registry.Snapshot().Ike);
        Assert.Equal(("127.0.0.2:31000", "remote", true, "alice"), (ike.Remote, ike.Nat, ike.UdpEncapsulation, ike.XauthUser));

        var json = System.Text.Json.JsonSerializer.Serialize(ike, ControlJsonContext.Default.IkeSaStatus);
        Assert.Contains("\"nat\":\"remote\"", json, StringComparison.Ordinal);
        Assert.Contains("\"udp_encapsulation\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"virtual_ips\":[\"10.3.0.1\"]", json, StringComparison.Ordinal);
        Assert.Contains("\"xauth_user\":\"alice\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false, false)]
    [InlineData("none", true, false)]
    [InlineData("both", true, true)]
    [InlineData("local", false, true)]
    [InlineData("remote", true, false)]
    [InlineData("forced", true, false)]
    [InlineData("something else", false, true)]
    public void LoopRowsKeepRoadWarriorFieldsAndAReusedRowForgetsThem(string? nat, bool encapsulated, bool roadWarrior)
    {
        var registry = new SaRegistry(new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000_000)));
        var remote = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.7"), 4500);
        System.Net.IPAddress[]? vips = roadWarrior ? [System.Net.IPAddress.Parse("10.3.0.1")] : null;
        for (int round = 0; round < 2; round++)
        {
            registry.AddIke("rw", 1, 2, null, null, null, false, "aes128", 1_000_000);
            if (round == 0)
            {
                registry.UpdateIke(1, 2, remote, nat, encapsulated, vips, roadWarrior ? "alice" : null);
                var row = Assert.Single(registry.Snapshot().Ike);
                Assert.Equal(nat, row.Nat);
                Assert.Equal(encapsulated, row.UdpEncapsulation);
                Assert.Equal(roadWarrior ? ["10.3.0.1"] : null, row.VirtualIps);
                Assert.Equal(roadWarrior ? "alice" : null, row.XauthUser);
                Assert.Equal("192.0.2.7:4500", row.Remote);
                registry.RemoveIke(1, 2);
            }
            else
            {
                // The same row object again (free list): nothing of the previous SA shows.
                var row = Assert.Single(registry.Snapshot().Ike);
                Assert.Null(row.Nat);
                Assert.False(row.UdpEncapsulation);
                Assert.Null(row.VirtualIps);
                Assert.Null(row.XauthUser);
                Assert.Equal("", row.Remote);
            }
        }
    }
}
