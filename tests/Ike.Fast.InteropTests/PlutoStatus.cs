using System.Text.RegularExpressions;

namespace Ike.Fast.InteropTests;

/// <summary>
/// Parses pluto's <c>whack --status</c>: states (<c>#N: "conn":500 STATE_MAIN_I4 (IKE SA established)</c>), the
/// connection's "IKEv1 algorithm newest" / "ESP algorithm newest" lines. SPIs come from the harness's peer_spis.
/// </summary>
internal static partial class PlutoStatus
{
    /// <summary>Established ISAKMP states: name, whether pluto initiated (STATE_MAIN_I*/AGGR_I*).</summary>
    public static List<PeerSa> IkeStates(string status)
    {
        var list = new List<PeerSa>();
        foreach (Match m in IkeState().Matches(status))
        {
            list.Add(new PeerSa(m.Groups[1].Value, m.Groups[2].Value.Contains("_I", StringComparison.Ordinal), null, null, null, null,
                new Dictionary<string, string> { ["state"] = m.Groups[2].Value }));
        }

        return list;
    }

    /// <summary>State numbers (#N) of the established ISAKMP SAs: pluto never reuses one, so a replacement is told apart.</summary>
    public static HashSet<int> IkeStateNumbers(string status)
    {
        var set = new HashSet<int>();
        foreach (Match m in IkeStateNumber().Matches(status))
        {
            set.Add(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        return set;
    }

    /// <summary>"IKEv1 algorithm newest: X" of the connection.</summary>
    public static string? IkeAlgorithm(string status) => IkeAlg().Match(status) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>"ESP algorithm newest: X; pfsgroup=Y" of the connection.</summary>
    public static (string? Esp, string? PfsGroup) EspAlgorithm(string status) =>
        EspAlg().Match(status) is { Success: true } m ? (m.Groups[1].Value, m.Groups[2].Value) : (null, null);

    [GeneratedRegex(@"#\d+: ""([^""]+)""\S* (STATE_\w+) \((?:IKE|ISAKMP) SA established\)")]
    private static partial Regex IkeState();

    [GeneratedRegex(@"#(\d+): ""[^""]+""\S* STATE_\w+ \((?:IKE|ISAKMP) SA established\)")]
    private static partial Regex IkeStateNumber();

    [GeneratedRegex(@"IKEv1 algorithm newest: (\S+)")]
    private static partial Regex IkeAlg();

    [GeneratedRegex(@"ESP algorithm newest: ([^;\s]+); pfsgroup=(\S+)")]
    private static partial Regex EspAlg();
}
