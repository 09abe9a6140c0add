using Ike.Fast.Host.Daemon;
using Ike.Fast.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Ike.Fast.Tests.Host;

/// <summary>
/// Two daemons over loopback UDP (127.0.0.1 and 127.0.0.2, high ports, no root): the initiator's start_action=start
/// must bring up Main Mode and Quick Mode, both control sockets must list matching SAs, and both installers must have
/// been handed the same keys crosswise.
/// </summary>
public class LoopbackPairTests
{
    [Fact]
    public async Task MainModeAndQuickModeCompleteEndToEnd()
    {
        await using var pair = new LoopbackPair();
        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));

        var aSa = Assert.Single(pair.AInstaller.Installed);
        var bSa = Assert.Single(pair.BInstaller.Installed);
        Assert.Equal(aSa.InboundSpi, bSa.OutboundSpi);
        Assert.Equal(aSa.OutboundSpi, bSa.InboundSpi);
        // KEYMAT (RFC 2409 section 5.5) agrees crosswise: a's inbound keys are b's outbound keys.
        Assert.Equal(aSa.InboundKeys, bSa.OutboundKeys);
        Assert.Equal(aSa.OutboundKeys, bSa.InboundKeys);
        Assert.NotEqual(aSa.InboundKeys, aSa.OutboundKeys);

        var aStatus = await LoopbackPair.Ask(pair.ASocket, """{"command":"status"}""");
        var bStatus = await LoopbackPair.Ask(pair.BSocket, """{"command":"status"}""");
        var aIke = Assert.Single(aStatus.GetProperty("ike_sas").EnumerateArray());
        var bIke = Assert.Single(bStatus.GetProperty("ike_sas").EnumerateArray());
        Assert.True(aIke.GetProperty("initiator").GetBoolean());
        Assert.False(bIke.GetProperty("initiator").GetBoolean());
        Assert.Equal(aIke.GetProperty("initiator_cookie").GetString(), bIke.GetProperty("initiator_cookie").GetString());
        Assert.Equal(aIke.GetProperty("responder_cookie").GetString(), bIke.GetProperty("responder_cookie").GetString());
        var aChild = Assert.Single(aStatus.GetProperty("child_sas").EnumerateArray());
        var bChild = Assert.Single(bStatus.GetProperty("child_sas").EnumerateArray());
        Assert.Equal(aChild.GetProperty("spi_in").GetString(), bChild.GetProperty("spi_out").GetString());
        Assert.Equal(aChild.GetProperty("spi_out").GetString(), bChild.GetProperty("spi_in").GetString());
        Assert.Equal($"{aSa.InboundSpi:x8}", aChild.GetProperty("spi_in").GetString());
        Assert.Equal("198.51.100.0/24", aChild.GetProperty("local_ts").GetString());
        Assert.Equal("203.0.113.0/24", bChild.GetProperty("local_ts").GetString());
        Assert.Equal("esp", aChild.GetProperty("protocol").GetString());
        Assert.Equal("tunnel", aChild.GetProperty("mode").GetString());
        var counters = aStatus.GetProperty("counters");
        Assert.Equal(1, counters.GetProperty("phase1_established").GetInt64());
        Assert.Equal(1, counters.GetProperty("child_sas_established").GetInt64());
        Assert.True(counters.GetProperty("received").GetInt64() >= 4);
    }

    [Fact]
    public async Task TwoChildrenWithPfsShareOnePhase1()
    {
        const string AChildren = """
            "servers": { "local_ts": "198.51.100.0/24", "remote_ts": "203.0.113.0/24",
                         "esp_proposals": "aes128-sha256-modp2048", "start_action": "start" },
            "voice": { "local_ts": "198.18.2.0/24", "remote_ts": "198.19.2.0/24",
                       "esp_proposals": "aes256-sha256-modp2048", "start_action": "start" }
            """;
        const string BChildren = """
            "servers": { "local_ts": "203.0.113.0/24", "remote_ts": "198.51.100.0/24", "esp_proposals": "aes128-sha256-modp2048" },
            "voice": { "local_ts": "198.19.2.0/24", "remote_ts": "198.18.2.0/24", "esp_proposals": "aes256-sha256-modp2048" }
            """;
        await using var pair = new LoopbackPair(AChildren, BChildren);
        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 2 && pair.BInstaller.Installed.Count == 2));

        var aStatus = await LoopbackPair.Ask(pair.ASocket, """{"command":"status"}""");
        Assert.Single(aStatus.GetProperty("ike_sas").EnumerateArray());
        var children = aStatus.GetProperty("child_sas").EnumerateArray().ToList();
        Assert.Equal(["servers", "voice"], children.Select(c => c.GetProperty("child").GetString()).Order());
        Assert.All(children, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("pfs_group").GetString())));
        foreach (var a in pair.AInstaller.Installed)
        {
            var b = Assert.Single(pair.BInstaller.Installed, s => s.InboundSpi == a.OutboundSpi);
            Assert.Equal(a.Child, b.Child);
            Assert.Equal(a.InboundKeys, b.OutboundKeys);
        }
    }

    [Fact]
    public async Task TerminateFromTheControlSocketDeletesOnThePeer()
    {
        await using var pair = new LoopbackPair();
        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));

        var spiIn = $"{pair.AInstaller.Installed[0].InboundSpi:x8}";
        var answer = await LoopbackPair.Ask(pair.ASocket, $$"""{"command":"terminate","spi_in":"{{spiIn}}"}""");
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        // The protected Delete (RFC 2408 section 3.15) reaches b, which removes its SA pair too.
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 0 && pair.BInstaller.Installed.Count == 0));
        var bStatus = await LoopbackPair.Ask(pair.BSocket, """{"command":"status"}""");
        Assert.Equal(0, bStatus.GetProperty("child_sas").GetArrayLength());

        // Initiate again through the control socket: a new Quick Mode under the same ISAKMP SA.
        answer = await LoopbackPair.Ask(pair.ASocket, """{"command":"initiate","connection":"loop","child":"net"}""");
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));

        answer = await LoopbackPair.Ask(pair.ASocket, """{"command":"terminate","connection":"loop"}""");
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
        Assert.True(await LoopbackPair.WaitUntil(() => pair.BInstaller.Installed.Count == 0));
        Assert.True(await LoopbackPair.WaitUntil(() =>
            LoopbackPair.Ask(pair.BSocket, """{"command":"status"}""").Result.GetProperty("ike_sas").GetArrayLength() == 0));
    }

    [Fact]
    public async Task AggressiveModeResponderNeedsTheOptIn()
    {
        await using var pair = new LoopbackPair(aExtra: ", \"aggressive\": true", bExtra: ", \"aggressive\": true");
        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));
        Assert.Equal(pair.AInstaller.Installed[0].InboundKeys, pair.BInstaller.Installed[0].OutboundKeys);
    }

    [Fact]
    public async Task AggressiveModeIsRefusedWithoutTheOptIn()
    {
        await using var pair = new LoopbackPair(aExtra: ", \"aggressive\": true");
        await pair.StartAsync();
        // Every shard's counter: which shard a's address lands on depends on the steering seed drawn at start.
        var b = pair.B.Services.GetRequiredService<IkeDaemonService>().Sharded!;
        Assert.True(await LoopbackPair.WaitUntil(() => b.Shards.Sum(s => s.Counters[DiagnosticCode.AggressiveModeRefused]) > 0));
        Assert.Empty(pair.BInstaller.Installed);
        Assert.Empty(pair.AInstaller.Installed);
    }

    [Fact]
    public async Task Ipv6LoopbackWithIpv6Selectors()
    {
        if (!Ipv6LoopbackWorks())
        {
            // A machine without ::1 (IPv6 disabled): nothing to test here.
            return;
        }

        await using var pair = new LoopbackPair(
            """ "net": { "local_ts": "2001:db8:a::/48", "remote_ts": "2001:db8:b::/48", "start_action": "start" } """,
            """ "net": { "local_ts": "2001:db8:b::/48", "remote_ts": "2001:db8:a::/48" } """,
            aAddress: System.Net.IPAddress.IPv6Loopback, bAddress: System.Net.IPAddress.IPv6Loopback);
        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));
        Assert.Equal(pair.AInstaller.Installed[0].InboundKeys, pair.BInstaller.Installed[0].OutboundKeys);
        var aStatus = await LoopbackPair.Ask(pair.ASocket, """{"command":"status"}""");
        var child = Assert.Single(aStatus.GetProperty("child_sas").EnumerateArray());
        Assert.Equal("2001:db8:a::/48", child.GetProperty("local_ts").GetString());
        Assert.Equal("::1", child.GetProperty("remote").GetString());
    }

    [Fact]
    public async Task ChildSaIsRekeyedByItsInitiatorAndExpiresOnBothSides()
    {
        // Lifetimes are the host's job: rekey at rekey_time (initiator of the Quick Mode), delete at the negotiated
        // lifetime (both sides). Seconds here, so the test sees a full cycle.
        await using var pair = new LoopbackPair(
            """ "net": { "local_ts": "198.51.100.0/24", "remote_ts": "203.0.113.0/24", "rekey_time": "2s", "life_time": "4s", "start_action": "start" } """,
            """ "net": { "local_ts": "203.0.113.0/24", "remote_ts": "198.51.100.0/24" } """);
        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));
        var first = pair.AInstaller.Installed[0].InboundSpi;

        // The successor arrives while the first SA still lives (make-before-break)...
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Any(s => s.InboundSpi != first)));
        // ...and the first SA is deleted at its lifetime on both sides.
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.All(s => s.InboundSpi != first)
                                                       && pair.BInstaller.Installed.All(s => s.OutboundSpi != first)));
        var successor = pair.AInstaller.Installed.First(s => s.InboundSpi != first);
        Assert.True(await LoopbackPair.WaitUntil(() => pair.BInstaller.Installed.Any(s => s.OutboundSpi == successor.InboundSpi)));
    }

    [Fact]
    public async Task MainModeWithRsaCertificates()
    {
        await using var pair = new LoopbackPair(rsa: true);
        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));
        Assert.Equal(pair.AInstaller.Installed[0].InboundKeys, pair.BInstaller.Installed[0].OutboundKeys);
        var bStatus = await LoopbackPair.Ask(pair.BSocket, """{"command":"status"}""");
        var ike = Assert.Single(bStatus.GetProperty("ike_sas").EnumerateArray());
        Assert.Contains("CN=a.ikefast.test", ike.GetProperty("remote_id").GetString(), StringComparison.Ordinal);
    }

    private static bool Ipv6LoopbackWorks()
    {
        try
        {
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetworkV6,
                System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
