using System.Globalization;
using System.Text.RegularExpressions;

namespace Ike.Fast.Tests.Captures;

/// <summary>
/// One "Payload: Name (N)" subtree: the generic header fields, the type-specific lines (as label/value pairs in
/// order), nested proposal/transform payloads, SA attributes and, for a last IKE fragment, the reassembled message.
/// </summary>
internal sealed partial class DissectedPayload
{
    public required int Type { get; init; }

    public required string Name { get; init; }

    /// <summary>"# N" after proposals and transforms, else null.</summary>
    public int? Number { get; init; }

    public required int NextPayload { get; init; }

    public required int Length { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Fields { get; init; }

    public required IReadOnlyList<DissectedPayload> Payloads { get; init; }

    public required IReadOnlyList<DissectedAttribute> Attributes { get; init; }

    public DissectedMessage? Reassembled { get; init; }

    public string? Field(string label) => Fields.FirstOrDefault(f => f.Key == label).Value;

    public IEnumerable<string> AllFields(string label) => Fields.Where(f => f.Key == label).Select(f => f.Value);

    public override string ToString() => $"{Name} ({Type}) len {Length}";

    [GeneratedRegex(@"^Payload: (?<name>.*?) \((?<type>\d+)\)(?: # (?<number>\d+))?")]
    private static partial Regex PayloadLine();

    [GeneratedRegex(@"^(?:IKE|IPsec) Attribute \(t=(?<type>\d+),l=(?<length>\d+)\)")]
    private static partial Regex AttributeLine();

    public static bool IsPayloadNode(DissectionNode node) => PayloadLine().IsMatch(node.Text);

    public static DissectedPayload FromNode(DissectionNode node)
    {
        Match m = PayloadLine().Match(node.Text);
        if (!m.Success)
        {
            throw new FormatException($"not a payload line: {node.Text}");
        }

        var fields = new List<KeyValuePair<string, string>>();
        var payloads = new List<DissectedPayload>();
        var attributes = new List<DissectedAttribute>();
        DissectedMessage? reassembled = null;
        foreach (DissectionNode child in node.Children)
        {
            if (child.IsBitField || child.Text.StartsWith('['))
            {
                if (child.Text.StartsWith('['))
                {
                    // "[2 Message fragments (1340 bytes): ...]" holds the reassembled message as a sibling.
                    continue;
                }

                continue;
            }

            if (IsPayloadNode(child))
            {
                payloads.Add(FromNode(child));
                continue;
            }

            Match a = AttributeLine().Match(child.Text);
            if (a.Success)
            {
                attributes.Add(new DissectedAttribute(
                    int.Parse(a.Groups["type"].Value, CultureInfo.InvariantCulture),
                    int.Parse(a.Groups["length"].Value, CultureInfo.InvariantCulture),
                    child.ChildValue("Value") ?? string.Empty));
                continue;
            }

            if (child.Text == DissectedMessage.ProtocolLine)
            {
                reassembled = DissectedMessage.FromNode(child);
                continue;
            }

            fields.Add(new KeyValuePair<string, string>(child.Label, child.Value));
        }

        return new DissectedPayload
        {
            Type = int.Parse(m.Groups["type"].Value, CultureInfo.InvariantCulture),
            Name = m.Groups["name"].Value,
            Number = m.Groups["number"].Success ? int.Parse(m.Groups["number"].Value, CultureInfo.InvariantCulture) : null,
            NextPayload = Dissection.TrailingNumber(node.ChildValue("Next payload")),
            Length = Dissection.TrailingNumber(node.ChildValue("Payload length")),
            Fields = fields,
            Payloads = payloads,
            Attributes = attributes,
            Reassembled = reassembled,
        };
    }
}
