using System.Text.Json;
using Ike.Fast.LoadTest;

namespace Ike.Fast.Tests.LoadTest;

/// <summary>
/// The road-warrior knobs of <c>ikefast loadtest</c>: <c>--xauth USER</c> (the embedded responder checks the PBKDF2
/// users file it was given), <c>--mode-config</c> (a virtual address per peer before the Quick Mode), <c>--nat-t</c>
/// (float to UDP 4500, ESP-in-UDP SAs), <c>--dpd</c>.
/// Small counts: every XAUTH login costs the responder a 100,000-iteration PBKDF2.
/// </summary>
// Sequential with the other load tests: each run wants the cores; in parallel, retransmission timers fire spuriously.
[Collection("LoadTest")]
public sealed class LoadTestRoadWarriorTests
{
    [Fact]
    public void XauthAndModeConfig_EveryPeerLogsInAndGetsAnAddress()
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions
        {
            XauthUser = "alice",
            ModeConfig = true,
            DpdDelaySeconds = 0.5,
            Count = 6,
            Concurrency = 3,
            Warmup = 1,
            TimeoutSeconds = 20,
        });

        Assert.True(r.Failed == 0, string.Join(", ", r.FailuresByReason.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(6, r.Completed);
        Assert.Equal(6, r.ModeConfigReplies);
        Assert.Equal(0, r.ResponderIkeSasLeft);
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(r));
        JsonElement options = doc.RootElement.GetProperty("options");
        Assert.True(options.GetProperty("xauth").GetBoolean());
        Assert.True(options.GetProperty("mode_config").GetBoolean());
        Assert.Equal(0.5, options.GetProperty("dpd_seconds").GetDouble());
        Assert.Equal(6, doc.RootElement.GetProperty("mode_config_replies").GetInt64());
    }

    [Fact]
    public void NatTraversal_FloatsToUdp4500_AndTheSasAreUdpEncapsulated()
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions { NatTraversal = true, Count = 10, Concurrency = 4, Warmup = 2 });

        Assert.True(r.Failed == 0, string.Join(", ", r.FailuresByReason.Select(f => $"{f.Key}: {f.Value}")));
        Assert.Equal(10, r.Completed);
        Assert.Equal(10, r.ChildSasUdpEncapsulated);
        Assert.Equal(0, r.ResponderIkeSasLeft);
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(r));
        Assert.True(doc.RootElement.GetProperty("options").GetProperty("nat_t").GetBoolean());
        Assert.Equal(10, doc.RootElement.GetProperty("child_sas_udp_encap").GetInt64());
    }

    [Fact]
    public void WithoutNatTraversal_NothingIsEncapsulated()
    {
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions { Count = 4, Concurrency = 2, Warmup = 0 });
        Assert.Equal(4, r.Completed);
        Assert.Equal(0, r.ChildSasUdpEncapsulated);
    }

    [Fact]
    public void XauthWithTheWrongPassword_Fails()
    {
        using var responder = new EmbeddedResponder(new LoadTestOptions { XauthUser = "alice", XauthPassword = "right" });
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions
        {
            Target = responder.EndPoint,
            PreSharedKey = new LoadTestOptions().PreSharedKey,
            XauthUser = "alice",
            XauthPassword = "wrong",
            Count = 2,
            Concurrency = 2,
            Warmup = 0,
            TimeoutSeconds = 3,
            RetransmitMs = 500,
        });

        Assert.Equal(0, r.Completed);
        Assert.Equal(2, r.Failed);
    }

    [Fact]
    public void EmbeddedConfiguration_HasTheServerSide()
    {
        using JsonDocument doc = JsonDocument.Parse(EmbeddedResponder.ConfigurationJson(
            new LoadTestOptions { XauthUser = "alice", ModeConfig = true }));
        JsonElement conn = doc.RootElement.GetProperty("connections").GetProperty("loadtest");
        Assert.Equal("server", conn.GetProperty("xauth").GetString());
        Assert.Equal("loadtest", conn.GetProperty("pools")[0].GetString());
        Assert.Equal("xauth-users", doc.RootElement.GetProperty("daemon").GetProperty("xauth_users").GetString());
        Assert.Equal("100.64.0.0/16", doc.RootElement.GetProperty("pools").GetProperty("loadtest").GetProperty("addrs").GetString());
    }
}
