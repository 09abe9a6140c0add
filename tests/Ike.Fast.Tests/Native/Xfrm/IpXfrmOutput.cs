namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>
/// Splits `ip xfrm policy` / `ip xfrm state` output into records (one per unindented line) and reads the
/// "key value" pairs of a record: selector keys before "tmpl", template keys after it.
/// </summary>
internal sealed class IpXfrmOutput
{
    private readonly List<string> _selectorTokens = [];
    private readonly List<string> _templateTokens = [];

    private IpXfrmOutput(string text)
    {
        Text = text;
        bool inTemplate = false;
        foreach (string token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (token == "tmpl")
            {
                inTemplate = true;
                continue;
            }

            (inTemplate ? _templateTokens : _selectorTokens).Add(token);
        }
    }

    public string Text { get; }

    internal static List<IpXfrmOutput> Parse(string output)
    {
        var records = new List<IpXfrmOutput>();
        var current = new List<string>();
        foreach (string line in output.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && current.Count > 0)
            {
                records.Add(new IpXfrmOutput(string.Join('\n', current)));
                current.Clear();
            }

            if (line.Trim().Length > 0)
            {
                current.Add(line);
            }
        }

        if (current.Count > 0)
        {
            records.Add(new IpXfrmOutput(string.Join('\n', current)));
        }

        return records;
    }

    /// <summary>The token after the first <paramref name="key"/> in the selector part, or null.</summary>
    public string? Get(string key) => After(_selectorTokens, key);

    /// <summary>The token after the first <paramref name="key"/> in the template part, or null.</summary>
    public string? Template(string key) => After(_templateTokens, key);

    public override string ToString() => Text;

    private static string? After(List<string> tokens, string key)
    {
        int at = tokens.IndexOf(key);
        return at >= 0 && at + 1 < tokens.Count ? tokens[at + 1] : null;
    }
}
