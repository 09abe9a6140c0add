using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Ike.Fast.InteropTests;

/// <summary>
/// SA lifecycle against charon with short lifetimes (docs/rekeying.md): a Phase 2 rekey and a Phase 1
/// reauthentication, driven by either side, must end with exactly one live SA set on both sides; and IKE
/// fragmentation sent by IkeFast with RSA certificates (MM5/MM6 larger than <c>daemon.fragment_size</c>).
/// </summary>
public sealed class LifecycleInteropTests(LifecycleTopology topology, ITestOutputHelper output) : IClassFixture<LifecycleTopology>
{
    /// <summary>
    /// The lifetime rows run IkeFast with two shards whatever the core count: a peer's new Phase 1 (a reauthentication)
    /// must meet its old SAs on the shard of the peer's address (Host README, "Shards").
    /// </summary>
    private static void TwoShards(JsonObject root) => root["daemon"]!["shards"] = 2;

    /// <summary>How long a row waits for the end state (a few short lifetimes).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    /// <summary>
    /// Phase 2 rekey (RFC 2409 section 5.5: a new Quick Mode before the lifetime ends). IkeFast rekeys on its own
    /// timer: its child has rekey_time 8 s and life_time 12 s; the old pair goes at the hard lifetime or the deletion
    /// delay, whichever comes first, on both sides (IkeFast's Delete). charon rekeys: <c>swanctl --rekey --child</c>
    /// (charon's own CHILD_SA rekey timer is the kernel's soft-expire event, which the shimmed kernel without ESP
    /// never sends), with <c>charon.delete_rekeyed = yes</c> so that charon, the successor's creator, deletes the old
    /// pair as docs/rekeying.md expects. Either way both sides end with exactly one pair: the same SPIs crosswise, a
    /// new one.
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void ChildSaRekeyEndsWithOnePair(bool ikeFastRekeys)
    {
        var c = new InteropCase(PeerKind.Charon, IkeFastInitiates: ikeFastRekeys);
        var s = new InteropSession(topology, output);
        s.Run(c, _ =>
        {
            string[] peer = ikeFastRekeys ? [] : ["delete_rekeyed=yes"];
            s.EstablishEdited(c, peer, connection =>
            {
                var child = connection["children"]![InteropCase.Connection]!.AsObject();
                child["rekey_time"] = ikeFastRekeys ? "8s" : "1h";
                child["life_time"] = ikeFastRekeys ? "12s" : "2h";
            }, TwoShards);
            var first = Assert.Single(s.Control.Status()!.ChildSas).SpiIn;
            if (!ikeFastRekeys)
            {
                Assert.True(s.Harness("charon_swanctl", "b", "--rekey", "--child", InteropCase.Connection).Ok, "swanctl --rekey failed");
            }

            var (ours, theirs) = WaitOneSet(s, "one rekeyed IPsec SA pair on both sides",
                (st, peerIke, peerChildren) => st.ChildSas.Count == 1 && st.ChildSas[0].SpiIn != first && peerChildren.Count == 1 &&
                                               peerIke.Count == 1);
            ShowLifecycle();
            var child = Assert.Single(ours.ChildSas);
            Assert.Equal(child.SpiIn, theirs[0].SpiOut);
            Assert.Equal(child.SpiOut, theirs[0].SpiIn);
            var log = IkeFastLog();
            if (ikeFastRekeys)
            {
                Assert.Contains("rekeying ikef/ikef", log, StringComparison.Ordinal);
            }
            else
            {
                Assert.DoesNotContain("rekeying ikef/ikef", log, StringComparison.Ordinal);
                Assert.Contains($"SPI {first} rekeyed to", log, StringComparison.Ordinal);
            }
        });
    }

    /// <summary>
    /// Phase 1 reauthentication (a new Main Mode before the ISAKMP SA lifetime ends). IkeFast reauthenticates: its
    /// connection has rekey_time 12 s + over_time 3 s (lifetime 15 s, reauthentication at 90%); the new ISAKMP SA
    /// adopts the IPsec SA and the old one is deleted without it. charon reauthenticates: its IKE rekey_time 12 s,
    /// over_time 3 s, rand_time 0. Both sides end with exactly one ISAKMP SA (the new cookies) and one IPsec pair.
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void ReauthenticationEndsWithOneSet(bool ikeFastReauthenticates)
    {
        var c = new InteropCase(PeerKind.Charon, IkeFastInitiates: ikeFastReauthenticates);
        var s = new InteropSession(topology, output);
        s.Run(c, _ =>
        {
            string[] peer = ikeFastReauthenticates ? [] : ["ike_lifetime=12s", "ike_over_time=3s", "ike_rand_time=0"];
            s.EstablishEdited(c, peer, connection =>
            {
                connection["rekey_time"] = ikeFastReauthenticates ? "12s" : "4h";
                connection["over_time"] = ikeFastReauthenticates ? "3s" : "24m";
            }, TwoShards);
            var firstIke = Assert.Single(s.Control.Status()!.IkeSas);
            var (ours, theirs) = WaitOneSet(s, "one reauthenticated ISAKMP SA and one IPsec pair on both sides",
                (st, peerIke, peerChildren) => st.IkeSas.Count == 1 && st.EstablishedIkeSas == 1 &&
                                               st.IkeSas[0].InitiatorCookie != firstIke.InitiatorCookie &&
                                               st.ChildSas.Count == 1 && peerIke.Count == 1 && peerChildren.Count == 1 &&
                                               peerIke[0].InitiatorCookie == st.IkeSas[0].InitiatorCookie);
            ShowLifecycle();
            var child = Assert.Single(ours.ChildSas);
            Assert.Equal(child.SpiIn, theirs[0].SpiOut);
            Assert.Equal(child.SpiOut, theirs[0].SpiIn);
            if (ikeFastReauthenticates)
            {
                Assert.Contains("reauthenticating ISAKMP SA", IkeFastLog(), StringComparison.Ordinal);
            }
        });
    }

    /// <summary>
    /// IKE fragmentation sent by IkeFast (the FRAGMENTATION vendor extension, payload 132): with RSA certificates MM5
    /// (IkeFast initiates) or MM6 (IkeFast responds) exceeds <c>daemon.fragment_size</c> = 400, goes out as
    /// fragments, and charon reassembles them.
    /// </summary>
    [InteropTheory(PeerKind.Charon)]
    [InlineData(true)]
    [InlineData(false)]
    public void FragmentedRsaMainModeFromIkeFast(bool ikeFastInitiates)
    {
        var c = new InteropCase(PeerKind.Charon, ikeFastInitiates, Auth: "rsa");
        var s = new InteropSession(topology, output);
        s.Run(c, _ =>
        {
            s.EstablishEdited(c, [], _ => { }, root => root["daemon"]!["fragment_size"] = 400);
            var charonLog = File.ReadAllText(Path.Combine(topology.RunDirectory, "b", "charon.log"));
            Assert.Contains("reassembled fragmented IKE message", charonLog, StringComparison.Ordinal);
            s.VerifyBothSides(c);
        });
    }

    /// <summary>
    /// Polls both sides (IkeFast's status, charon's installed SAs) until <paramref name="done"/> holds, then checks it
    /// still holds a second later (a transient single SA between two rekeys does not count as the end state).
    /// </summary>
    private static (IkeFastStatus Ours, List<PeerSa> TheirChildren) WaitOneSet(InteropSession s, string what,
        Func<IkeFastStatus, List<PeerSa>, List<PeerSa>, bool> done)
    {
        var end = Stopwatch.StartNew();
        string last = "(nothing yet)";
        while (end.Elapsed < Patience)
        {
            var ours = s.Control.Status();
            var raw = s.Harness("charon_swanctl", "b", "--list-sas", "--raw").StandardOutput;
            var (ike, children) = CharonSas.Parse(raw);
            last = $"IkeFast: {ours?.Json}\ncharon: {raw}";
            if (ours is not null && done(ours, ike, children))
            {
                return (ours, children);
            }

            Thread.Sleep(250);
        }

        throw new Xunit.Sdk.XunitException($"not reached within {Patience.TotalSeconds} s: {what}\n{last}");
    }

    /// <summary>IkeFast's lifecycle lines (rekeys, reauthentications, deletions) into the test output.</summary>
    private void ShowLifecycle()
    {
        foreach (var line in IkeFastLog().Split('\n'))
        {
            if (line.Contains("rekey", StringComparison.OrdinalIgnoreCase) || line.Contains("reauthentic", StringComparison.Ordinal) ||
                line.Contains("expired", StringComparison.Ordinal) || line.Contains("IKE SA", StringComparison.Ordinal) ||
                line.Contains("xfrm", StringComparison.Ordinal))
            {
                output.WriteLine(line);
            }
        }

        var charon = Path.Combine(topology.RunDirectory, "b", "charon.log");
        foreach (var line in File.Exists(charon) ? File.ReadAllLines(charon) : [])
        {
            if (line.Contains("rekey", StringComparison.OrdinalIgnoreCase) || line.Contains("reauth", StringComparison.Ordinal) ||
                line.Contains("deleting", StringComparison.Ordinal) || line.Contains("expired", StringComparison.Ordinal) ||
                line.Contains("established", StringComparison.Ordinal))
            {
                output.WriteLine("charon: " + line);
            }
        }
    }

    private string IkeFastLog()
    {
        var path = Path.Combine(topology.RunDirectory, "a", "ikefast.out");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }
}
