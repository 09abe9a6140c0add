using System.Globalization;
using System.Text.RegularExpressions;

namespace Ike.Fast.Tests.Captures;

/// <summary>
/// Test support: reads Wireshark's <c>tshark -V</c> dissection of a capture (tests/data/captures/ID.txt or
/// ID.decrypted.txt) into frames with their ISAKMP header and payload fields, so capture tests can compare
/// the wire reader field by field with an independent implementation.
/// </summary>
internal static partial class Dissection
{
    public static IReadOnlyList<DissectedFrame> Load(string path) => Parse(File.ReadLines(path));

    public static IReadOnlyList<DissectedFrame> Parse(IEnumerable<string> lines)
    {
        var frames = new List<DissectedFrame>();
        foreach (List<DissectionNode> layers in DissectionTree.ParseFrames(lines))
        {
            DissectionNode? frameNode = layers.Find(l => l.Text.StartsWith("Frame ", StringComparison.Ordinal));
            if (frameNode is null)
            {
                continue;
            }

            DissectionNode? ip = layers.Find(l => l.Text.StartsWith("Internet Protocol Version", StringComparison.Ordinal));
            DissectionNode? udp = layers.Find(l => l.Text.StartsWith("User Datagram Protocol", StringComparison.Ordinal));
            DissectionNode? encapsulation = layers.Find(l => l.Text == "UDP Encapsulation of IPsec Packets");
            DissectionNode? isakmp = layers.Find(l => l.Text == DissectedMessage.ProtocolLine);
            string sourceAddress = ip?.ChildValue("Source Address") ?? "?";
            string destinationAddress = ip?.ChildValue("Destination Address") ?? "?";
            string sourcePort = udp?.ChildValue("Source Port") ?? "?";
            string destinationPort = udp?.ChildValue("Destination Port") ?? "?";
            bool v6 = ip?.Text.StartsWith("Internet Protocol Version 6", StringComparison.Ordinal) == true;
            frames.Add(new DissectedFrame
            {
                Number = int.Parse(frameNode.ChildValue("Frame Number") ?? "0", CultureInfo.InvariantCulture),
                Source = v6 ? $"[{sourceAddress}]:{sourcePort}" : $"{sourceAddress}:{sourcePort}",
                Destination = v6 ? $"[{destinationAddress}]:{destinationPort}" : $"{destinationAddress}:{destinationPort}",
                NonEspMarker = encapsulation?.Children.Exists(c => c.Text == "Non-ESP Marker") == true,
                NatKeepalive = encapsulation?.Children.Exists(c => c.Text.StartsWith("NAT-keepalive", StringComparison.Ordinal)) == true,
                Esp = layers.Exists(l => l.Text.StartsWith("Encapsulating Security Payload", StringComparison.Ordinal)),
                Isakmp = isakmp is null ? null : DissectedMessage.FromNode(isakmp),
            });
        }

        return frames;
    }

    [GeneratedRegex(@"\((?<n>\d+)\)\s*$")]
    private static partial Regex TrailingParenthesisedNumber();

    /// <summary>"Identification (5)" → 5; "36" → 36; "Unused" or null → 0.</summary>
    public static int TrailingNumber(string? value)
    {
        if (string.IsNullOrEmpty(value) || value == "Unused")
        {
            return 0;
        }

        Match m = TrailingParenthesisedNumber().Match(value);
        if (m.Success)
        {
            return int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        }

        string first = value.Split(' ')[0];
        if (first.StartsWith("0x", StringComparison.Ordinal))
        {
            return (int)HexNumber(first);
        }

        return int.Parse(first, CultureInfo.InvariantCulture);
    }

    /// <summary>"0x00000001" (optionally followed by text) → 1.</summary>
    public static long HexNumber(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        string first = value.Split(' ')[0];
        return long.Parse(first.StartsWith("0x", StringComparison.Ordinal) ? first[2..] : first, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// True when <paramref name="actualHex"/> matches a dissection hex string; Wireshark truncates long values
    /// with "…", in which case only the shown prefix is compared.
    /// </summary>
    public static bool HexMatches(string? dissected, string actualHex)
    {
        if (dissected is null)
        {
            return false;
        }

        if (dissected.EndsWith('…'))
        {
            return actualHex.StartsWith(dissected[..^1], StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(dissected, actualHex, StringComparison.OrdinalIgnoreCase);
    }

    public static string CapturesDirectory => Path.Combine(AppContext.BaseDirectory, "data", "captures");

    public static string VectorsDirectory => Path.Combine(AppContext.BaseDirectory, "data", "vectors");

    /// <summary>Every capture id (file name without .pcap), sorted.</summary>
    public static IEnumerable<string> CaptureIds() =>
        Directory.EnumerateFiles(CapturesDirectory, "*.pcap").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;
}
