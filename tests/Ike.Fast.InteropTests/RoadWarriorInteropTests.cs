using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ike.Fast.InteropTests;

/// <summary>
/// The road-warrior features against charon: NAT traversal with forced UDP encapsulation (RFC 3947, RFC 3948) and
/// Dead Peer Detection (RFC 3706). IkeFast's side is the matrix's configuration plus the road-warrior keys
/// (<c>encap</c>, <c>dpd_delay</c>, <c>dpd_timeout</c>) and a listener on UDP 4500.
/// </summary>
public sealed class RoadWarriorInteropTests(RoadWarriorTopology topology, ITestOutputHelper output) : IClassFixture<RoadWarriorTopology>
{
    /// <summary>
    /// charon <c>encap = yes</c> fakes its NAT-D hash (RFC 3947 section 3.2), IkeFast forces encapsulation too: both
    /// float to 4500 and the IPsec SA is UDP-encapsulated (RFC 3948).
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void NatTraversalForcedEncapsulation(bool ikeFastInitiates)
    {
        var c = new InteropCase(PeerKind.Charon, ikeFastInitiates);
        var s = new InteropSession(topology, output);
        s.Run(c, _ =>
        {
            Establish(s, c, ["encap=yes"], connection => connection["encap"] = "yes");
            var raw = s.Harness("charon_swanctl", "b", "--list-sas", "--raw").StandardOutput;
            output.WriteLine(raw);
            Assert.Contains("local-port=4500", raw, StringComparison.Ordinal);
            Assert.Contains("remote-port=4500", raw, StringComparison.Ordinal);
            Assert.Contains("nat-any=yes", raw, StringComparison.Ordinal);
            Assert.Contains("encap=yes", raw, StringComparison.Ordinal);
            var log = IkeFastLog();
            output.WriteLine(log);
            Assert.Contains("NAT detected", log, StringComparison.Ordinal);
            Assert.Contains("established with 192.0.2.2:4500", log, StringComparison.Ordinal);
            Assert.Contains("QuickMode", log, StringComparison.Ordinal);
            Assert.DoesNotContain("192.0.2.2:500 QuickMode", log, StringComparison.Ordinal);
            // Status: NAT state and encapsulation of the ISAKMP SA, ESP-in-UDP ports of the IPsec SA.
            var status = s.Control.Status()!;
            output.WriteLine(status.Json);
            Assert.Contains("\"udp_encapsulation\":true", status.Json, StringComparison.Ordinal);
            Assert.Contains("\"udp_encapsulation\":\"udp 4500 ", status.Json, StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// IkeFast probes with R-U-THERE every 2 s after idleness; while charon lives its R-U-THERE-ACKs keep the SAs up;
    /// with charon killed (no Delete sent) no R-U-THERE-ACK
    /// comes back and after dpd_timeout IkeFast declares the peer dead and clears the ISAKMP SA and its IPsec SAs
    /// (dpd_action = clear).
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void DeadPeerDetectionClearsKilledPeer(bool ikeFastInitiates)
    {
        var c = new InteropCase(PeerKind.Charon, ikeFastInitiates);
        var s = new InteropSession(topology, output);
        s.Run(c, _ =>
        {
            Establish(s, c, [], connection =>
            {
                connection["dpd_delay"] = "2s";
                connection["dpd_timeout"] = "6s";
                connection["dpd_action"] = "clear";
            });
            // Alive: charon answers every R-U-THERE (RFC 3706 section 5), so the SAs outlive dpd_delay + dpd_timeout.
            Thread.Sleep(TimeSpan.FromSeconds(9));
            var alive = s.Control.Status();
            Assert.Equal(1, alive?.EstablishedIkeSas);
            Assert.Single(alive!.ChildSas);
            Assert.DoesNotContain("DeadPeer", IkeFastLog(), StringComparison.Ordinal);

            var pid = int.Parse(File.ReadAllText(Path.Combine(topology.RunDirectory, "b", "pid")).Trim(), CultureInfo.InvariantCulture);
            using (var charon = Process.GetProcessById(pid))
            {
                charon.Kill();
                charon.WaitForExit(5000);
            }

            var status = s.WaitIkeFast("peer declared dead: no SA left", st => st.IkeSas.Count == 0 && st.ChildSas.Count == 0);
            output.WriteLine(status.Json);
            var log = IkeFastLog();
            output.WriteLine(log);
            Assert.Contains("DPD: no answer for 6 s, action Clear", log, StringComparison.Ordinal);
            Assert.Contains("DeadPeer deleted", log, StringComparison.Ordinal);
            Assert.Contains("xfrm delete ikef/ikef", log, StringComparison.Ordinal);
            s.StopDaemons();
        });
    }

    /// <summary>
    /// Mode-Config (draft-dukes-ike-mode-cfg) with charon as the road-warrior client (<c>vips = 0.0.0.0</c>,
    /// <c>local_ts = dynamic</c>) and IkeFast as the gateway leasing from <c>pools.rw</c> (10.3.0.0/24), pull (charon
    /// REQUEST, IkeFast REPLY) or push (<c>pull = no</c> on both: IkeFast SET, charon ACK): charon lists the virtual IP
    /// and both sides' child selectors are the leased address.
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void ModeConfigLeasesAVirtualAddress(bool pull)
    {
        var c = new InteropCase(PeerKind.Charon, IkeFastInitiates: false);
        var s = new InteropSession(topology, output);
        s.Run(c, _ =>
        {
            Establish(s, c, ["vips=0.0.0.0", "local_ts=dynamic", pull ? "pull=yes" : "pull=no"], connection =>
            {
                connection["pools"] = "rw";
                connection["pull"] = pull ? "yes" : "no";
                connection["children"]![InteropCase.Connection]!["remote_ts"] = new JsonArray("dynamic");
            }, root => root["pools"] = new JsonObject
            {
                ["rw"] = new JsonObject { ["addrs"] = "10.3.0.0/24", ["dns"] = "10.3.0.53" },
            });
            var raw = s.Harness("charon_swanctl", "b", "--list-sas", "--raw").StandardOutput;
            output.WriteLine(raw);
            Assert.Contains("local-vips=[10.3.0.1]", raw, StringComparison.Ordinal);
            Assert.Contains("local-ts=[10.3.0.1/32]", raw, StringComparison.Ordinal);
            var status = s.Control.Status()!;
            output.WriteLine(status.Json);
            Assert.Equal("10.3.0.1/32", Assert.Single(status.ChildSas).RemoteTs);
            var log = IkeFastLog();
            output.WriteLine(log);
            // Pull: charon's REQUEST opens the Transaction exchange; push: IkeFast's SET does.
            var first = log.Split('\n').First(l => l.Contains(" Transaction ", StringComparison.Ordinal));
            Assert.Contains(pull ? "recv 192.0.2.2:500" : "send 192.0.2.1:500", first, StringComparison.Ordinal);
            Assert.Contains("198.51.100.0/24 <=> 10.3.0.1/32", log, StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// XAUTH (draft-beaulieu-ike-xauth) then Mode-Config with charon as the road-warrior client: charon authenticates
    /// with a PSK, then as user alice in a second (XAUTH) round, and asks for a virtual IP; IkeFast checks the password
    /// against its PBKDF2 users file (<c>daemon.xauth_users</c>) and leases from <c>pools.rw</c>.
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void XauthAndModeConfigGiveCharonAnAddress(bool rightPassword)
    {
        var c = new InteropCase(PeerKind.Charon, IkeFastInitiates: false);
        var s = new InteropSession(topology, output);
        var users = Path.Combine(topology.RunDirectory, "a", "xauth-users");
        File.WriteAllText(users, Ike.Fast.Protocol.Transaction.Pbkdf2XauthBackend.CreateLine("alice", "alice-secret") + "\n");
        s.Run(c, _ =>
        {
            string[] peer = ["vips=0.0.0.0", "local_ts=dynamic", "xauth_id=alice", "xauth_secret=" + (rightPassword ? "alice-secret" : "wrong")];
            void Edit(JsonObject connection)
            {
                connection["pools"] = "rw";
                connection["xauth"] = "server";
                connection["children"]![InteropCase.Connection]!["remote_ts"] = new JsonArray("dynamic");
            }

            void EditRoot(JsonObject root)
            {
                root["daemon"]!["xauth_users"] = users;
                root["pools"] = new JsonObject { ["rw"] = new JsonObject { ["addrs"] = "10.3.0.0/24" } };
            }

            if (rightPassword)
            {
                Establish(s, c, peer, Edit, EditRoot);
                var raw = s.Harness("charon_swanctl", "b", "--list-sas", "--raw").StandardOutput;
                output.WriteLine(raw);
                Assert.Contains("local-vips=[10.3.0.1]", raw, StringComparison.Ordinal);
                var status = s.Control.Status()!;
                output.WriteLine(status.Json);
                Assert.Equal("10.3.0.1/32", Assert.Single(status.ChildSas).RemoteTs);
            }
            else
            {
                var e = Assert.ThrowsAny<Exception>(() => Establish(s, c, peer, Edit, EditRoot));
                output.WriteLine($"expected failure: {e.Message}");
                var status = s.Control.Status()!;
                output.WriteLine(status.Json);
                Assert.Empty(status.ChildSas);
                Assert.Contains("XAUTH failed for user 'alice'", IkeFastLog(), StringComparison.Ordinal);
            }
        });
    }

    /// <summary>
    /// The other direction of RFC 3706: charon probes (<c>dpd_delay = 2s</c>, <c>dpd_timeout = 6s</c>) and IkeFast
    /// answers each R-U-THERE with R-U-THERE-ACK, so charon keeps the SAs; once IkeFast is killed charon clears them.
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    public void IkeFastAnswersCharonsDpdProbes(bool ikeFastInitiates)
    {
        var c = new InteropCase(PeerKind.Charon, ikeFastInitiates);
        var s = new InteropSession(topology, output);
        s.Run(c, _ =>
        {
            Establish(s, c, ["dpd_delay=2s", "dpd_timeout=6s"], _ => { });
            Thread.Sleep(TimeSpan.FromSeconds(9));
            Assert.True(s.PeerReaches("ike", 1, 1), "charon dropped the ISAKMP SA although IkeFast is alive");
            Assert.True(s.PeerReaches("child", 1, 1), "charon dropped the IPsec SA although IkeFast is alive");
            var log = File.ReadAllText(Path.Combine(topology.RunDirectory, "b", "charon.log"));
            Assert.Contains("N(DPD_ACK)", log, StringComparison.Ordinal);

            var pid = int.Parse(File.ReadAllText(Path.Combine(topology.RunDirectory, "a", "ikefast.pid")).Trim(), CultureInfo.InvariantCulture);
            using (var ikefast = Process.GetProcessById(pid))
            {
                ikefast.Kill(entireProcessTree: true);
                ikefast.WaitForExit(5000);
            }

            s.WaitPeerGone("ike");
            s.StopDaemons();
        });
    }

    private string IkeFastLog()
    {
        var path = Path.Combine(topology.RunDirectory, "a", "ikefast.out");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    /// <summary>(Re)starts charon with <paramref name="peerParameters"/> and IkeFast with its connection edited.</summary>
    private static void Establish(InteropSession s, InteropCase c, string[] peerParameters, Action<JsonObject> editConnection,
        Action<JsonObject>? editRoot = null) => s.EstablishEdited(c, peerParameters, editConnection, editRoot);
}
