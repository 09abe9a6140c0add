namespace Ike.Fast.Tests.Captures;

/// <summary>
/// One line of a Wireshark <c>tshark -V</c> tree with the lines indented beneath it. <see cref="Label"/> is the
/// text before the first colon and <see cref="Value"/> the trimmed text after it; bit-field lines
/// (".... ...1 = Encryption: Encrypted") are kept but flagged by <see cref="IsBitField"/>.
/// </summary>
internal sealed class DissectionNode
{
    public DissectionNode(string text, int depth)
    {
        Text = text;
        Depth = depth;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            Label = text;
            Value = string.Empty;
        }
        else
        {
            Label = text[..colon];
            Value = text[(colon + 1)..].Trim();
        }

        IsBitField = text.Length > 0 && (text[0] == '.' || text.StartsWith("0", StringComparison.Ordinal) || text.StartsWith("1", StringComparison.Ordinal))
            && text.Contains(" = ", StringComparison.Ordinal);
    }

    public string Text { get; }

    public int Depth { get; }

    public string Label { get; }

    public string Value { get; }

    public bool IsBitField { get; }

    public List<DissectionNode> Children { get; } = [];

    /// <summary>The first direct child whose label is <paramref name="label"/>, or null.</summary>
    public DissectionNode? Child(string label) => Children.Find(c => !c.IsBitField && c.Label == label);

    /// <summary>The value of the first direct child labelled <paramref name="label"/>, or null.</summary>
    public string? ChildValue(string label) => Child(label)?.Value;

    public override string ToString() => Text;
}
