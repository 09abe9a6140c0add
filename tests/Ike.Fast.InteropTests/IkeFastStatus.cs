using System.Text.Json.Nodes;

namespace Ike.Fast.InteropTests;

/// <summary>The parts of IkeFast's status answer (<c>ikefast status --json</c>) the tests compare.</summary>
internal sealed record IkeFastStatus(IReadOnlyList<IkeFastStatus.IkeSa> IkeSas, IReadOnlyList<IkeFastStatus.ChildSa> ChildSas, string Json)
{
    public int EstablishedIkeSas => IkeSas.Count(s => s.State == "established");

    public static IkeFastStatus? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json) is { } node ? Parse(node) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static IkeFastStatus? Parse(JsonNode node)
    {
        if (node["ok"]?.GetValue<bool>() != true)
        {
            return null;
        }

        var ike = new List<IkeSa>();
        foreach (var s in node["ike_sas"]?.AsArray() ?? [])
        {
            ike.Add(new IkeSa(
                Str(s, "connection"), Str(s, "initiator_cookie"), Str(s, "responder_cookie"),
                s!["initiator"]?.GetValue<bool>() ?? false, Str(s, "state"), Str(s, "algorithms")));
        }

        var children = new List<ChildSa>();
        foreach (var s in node["child_sas"]?.AsArray() ?? [])
        {
            children.Add(new ChildSa(
                Str(s, "child"), Str(s, "spi_in"), Str(s, "spi_out"), Str(s, "encryption"), Str(s, "integrity"),
                Str(s, "pfs_group"), Str(s, "local_ts"), Str(s, "remote_ts")));
        }

        return new IkeFastStatus(ike, children, node.ToJsonString());
    }

    private static string Str(JsonNode? n, string key) => n?[key]?.ToString() ?? string.Empty;

    internal sealed record IkeSa(string Connection, string InitiatorCookie, string ResponderCookie, bool Initiator, string State, string Algorithms);

    internal sealed record ChildSa(string Child, string SpiIn, string SpiOut, string Encryption, string Integrity, string PfsGroup, string LocalTs, string RemoteTs);
}
