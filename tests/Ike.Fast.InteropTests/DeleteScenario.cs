using System.Diagnostics;

namespace Ike.Fast.InteropTests;

/// <summary>The Delete rows: bring the SAs up, delete from one side, see them gone on the other (and on both).</summary>
internal static class DeleteScenario
{
    public static void Run(InteropSession s, InteropCase c, string deleter, string what, ITestOutputHelper output)
    {
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

    private static void Answer(System.Text.Json.Nodes.JsonNode? answer, string what)
    {
        Assert.True(answer?["ok"]?.GetValue<bool>() == true, $"{what}: {answer?.ToJsonString() ?? "(no answer)"}");
    }
}
