using System.Diagnostics;

namespace Ike.Fast.InteropTests;

/// <summary>The Delete rows: bring the SAs up, delete from one side, see them gone on the other (and on both).</summary>
internal static class DeleteScenario
{
    public static void Run(InteropSession s, InteropCase c, string deleter, string what, ITestOutputHelper output)
    {
        if (c.Peer == PeerKind.Pluto && deleter == "ikefast" && !c.IkeFastInitiates)
        {
            RunAgainstReplacingPeer(s, c, what, output);
            return;
        }

        s.Establish(c);
        s.VerifyBothSides(c);
        var before = s.CliStatus();
        var sw = Stopwatch.StartNew();
        switch (deleter, what)
        {
            case ("ikefast", "child"):
                Answer(s.Control.Command("terminate", ("spi_in", before.ChildSas[0].SpiIn)), "terminate spi_in");
                break;
            case ("ikefast", "ike"):
                Answer(s.Control.Command("terminate", ("connection", InteropCase.Connection)), "terminate connection");
                break;
            case ("peer", "child"):
                s.PeerTerminate("child");
                break;
            case ("peer", "ike"):
                s.PeerTerminate("ike");
                break;
            default:
                throw new ArgumentException($"unknown delete row {deleter}/{what}");
        }

        // Libreswan 4.10 answers a Delete for the last IPsec SA of an ISAKMP SA it responded to by deleting that
        // ISAKMP SA too (pluto.log: "parent state #1: MAIN_R3 => UNDEFINED", then a Delete for it): IkeFast must
        // follow, so the row then ends like an ISAKMP delete.
        var parentGoes = what == "ike" || (c.Peer == PeerKind.Pluto && deleter == "ikefast");

        // The other side must drop the SA; the deleting side too.
        s.WaitPeerGone("child");
        s.WaitIkeFast("no IPsec SA", st => st.ChildSas.Count == 0);
        if (parentGoes)
        {
            s.WaitPeerGone("ike");
            s.WaitIkeFast("no ISAKMP SA", st => st.EstablishedIkeSas == 0);
        }

        var after = s.CliStatus();
        output.WriteLine($"after delete ({sw.ElapsedMilliseconds} ms): {after.Json}");
        if (!parentGoes)
        {
            // Deleting one IPsec SA leaves the ISAKMP SA on both sides.
            Assert.Equal(1, after.EstablishedIkeSas);
            s.WaitPeer("ike", 1);
        }
    }

    /// <summary>
    /// IkeFast deletes SAs that pluto initiated. Pluto then at once negotiates replacements ("sent Quick Mode request,
    /// to replace #2"; tests/interop/README.md), so SA counts race with its re-keying. The row therefore waits for the
    /// deleted SAs themselves to be gone on both sides: the IPsec SA by its SPI pair (pluto's peer_spis, IkeFast's
    /// status), the ISAKMP SA by pluto's state number (monotonic: a replacement gets a new one) and IkeFast's cookies.
    /// </summary>
    private static void RunAgainstReplacingPeer(InteropSession s, InteropCase c, string what, ITestOutputHelper output)
    {
        s.Establish(c);
        s.VerifyBothSides(c);
        var before = s.CliStatus();
        var child = before.ChildSas[0];
        var ike = before.IkeSas.First(i => i.State == "established");
        var plutoStates = PlutoStatus.IkeStateNumbers(s.Harness("peer_status", "b").StandardOutput);
        Assert.NotEmpty(plutoStates);
        Assert.Contains((child.SpiOut, child.SpiIn), PeerSpis(s)); // pluto's inbound SPI is IkeFast's outbound one
        var sw = Stopwatch.StartNew();
        if (what == "child")
        {
            Answer(s.Control.Command("terminate", ("spi_in", child.SpiIn)), "terminate spi_in");
        }
        else
        {
            Answer(s.Control.Command("terminate", ("connection", InteropCase.Connection)), "terminate connection");
        }

        WaitFor("pluto to drop the deleted IPsec SA", () => !PeerSpis(s).Contains((child.SpiOut, child.SpiIn)));
        s.WaitIkeFast("the deleted IPsec SA gone", st => st.ChildSas.All(x => !string.Equals(x.SpiIn, child.SpiIn, StringComparison.OrdinalIgnoreCase)));
        if (what == "ike")
        {
            WaitFor("pluto to drop the deleted ISAKMP SA",
                () => !PlutoStatus.IkeStateNumbers(s.Harness("peer_status", "b").StandardOutput).Overlaps(plutoStates));
            s.WaitIkeFast("the deleted ISAKMP SA gone",
                st => st.IkeSas.All(x => x.InitiatorCookie != ike.InitiatorCookie || x.ResponderCookie != ike.ResponderCookie));
        }

        output.WriteLine($"after delete ({sw.ElapsedMilliseconds} ms): {s.CliStatus().Json}");
    }

    /// <summary>Pluto's installed IPsec SAs as (its inbound SPI, its outbound SPI), lower-case hex.</summary>
    private static HashSet<(string In, string Out)> PeerSpis(InteropSession s)
    {
        var set = new HashSet<(string, string)>();
        foreach (var line in s.Harness("peer_spis", "b").Lines)
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3)
            {
                set.Add((f[^2].ToLowerInvariant(), f[^1].ToLowerInvariant()));
            }
        }

        return set;
    }

    private static void WaitFor(string what, Func<bool> done)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (done())
            {
                return;
            }

            Thread.Sleep(100);
        }

        throw new Xunit.Sdk.XunitException($"timed out waiting for {what}");
    }

    private static void Answer(System.Text.Json.Nodes.JsonNode? answer, string what)
    {
        Assert.True(answer?["ok"]?.GetValue<bool>() == true, $"{what}: {answer?.ToJsonString() ?? "(no answer)"}");
    }
}
