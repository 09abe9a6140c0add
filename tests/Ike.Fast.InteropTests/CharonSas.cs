using System.Text.RegularExpressions;

namespace Ike.Fast.InteropTests;

/// <summary>
/// Parses charon's <c>swanctl --list-sas --raw</c>: one <c>list-sa event {NAME {k=v ... child-sas {C {k=v ...}}}}</c>
/// line per IKE SA.
/// </summary>
internal static partial class CharonSas
{
    public static (List<PeerSa> Ike, List<PeerSa> Children) Parse(string raw)
    {
        var ike = new List<PeerSa>();
        var children = new List<PeerSa>();
        foreach (var line in raw.Split('\n'))
        {
            if (!line.StartsWith("list-sa event", StringComparison.Ordinal))
            {
                continue;
            }

            var cut = line.IndexOf("child-sas", StringComparison.Ordinal);
            var ikePart = cut < 0 ? line : line[..cut];
            var f = Fields(ikePart);
            var name = NameOf().Match(line).Groups[1].Value;
            ike.Add(new PeerSa(name, f.GetValueOrDefault("initiator") == "yes", f.GetValueOrDefault("initiator-spi"),
                f.GetValueOrDefault("responder-spi"), null, null, f));
            if (cut < 0)
            {
                continue;
            }

            foreach (Match m in ChildBody().Matches(line[cut..]))
            {
                var c = Fields(m.Groups[1].Value);
                children.Add(new PeerSa(c.GetValueOrDefault("name") ?? string.Empty, null, null, null,
                    c.GetValueOrDefault("spi-in"), c.GetValueOrDefault("spi-out"), c));
            }
        }

        return (ike, children);
    }

    private static Dictionary<string, string> Fields(string text)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in KeyValue().Matches(text))
        {
            d.TryAdd(m.Groups[1].Value, m.Groups[2].Value);
        }

        return d;
    }

    [GeneratedRegex(@"list-sa event \{(\S+) \{")]
    private static partial Regex NameOf();

    [GeneratedRegex(@"\{(name=[^{}]*)\}")]
    private static partial Regex ChildBody();

    [GeneratedRegex(@"([a-z][a-z0-9-]*)=(\S*?)(?=[\s}]|$)")]
    private static partial Regex KeyValue();
}
