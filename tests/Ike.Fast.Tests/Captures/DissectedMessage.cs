using System.Globalization;
using System.Text.RegularExpressions;

namespace Ike.Fast.Tests.Captures;

/// <summary>The "Internet Security Association and Key Management Protocol" subtree of one frame.</summary>
internal sealed partial class DissectedMessage
{
    public const string ProtocolLine = "Internet Security Association and Key Management Protocol";

    public required string InitiatorCookie { get; init; }

    public required string ResponderCookie { get; init; }

    public required int NextPayload { get; init; }

    public required string Version { get; init; }

    public required int ExchangeType { get; init; }

    public required int Flags { get; init; }

    public required uint MessageId { get; init; }

    public required int Length { get; init; }

    /// <summary>The cleartext payloads (empty for an encrypted message).</summary>
    public required IReadOnlyList<DissectedPayload> Payloads { get; init; }

    /// <summary>"Encrypted Data (N bytes)": N, or null when the message is not encrypted.</summary>
    public int? EncryptedLength { get; init; }

    /// <summary>Payloads Wireshark decrypted (only in *.decrypted.txt), else empty.</summary>
    public required IReadOnlyList<DissectedPayload> DecryptedPayloads { get; init; }

    /// <summary>"Extra data: hex" after the payload chain (padding), or null.</summary>
    public string? ExtraData { get; init; }

    public bool IsEncrypted => (Flags & 1) != 0;

    [GeneratedRegex(@"^Encrypted Data \((?<n>\d+) bytes\)")]
    private static partial Regex EncryptedLine();

    public static DissectedMessage FromNode(DissectionNode node)
    {
        var payloads = new List<DissectedPayload>();
        var decrypted = new List<DissectedPayload>();
        int? encryptedLength = null;
        string? extra = null;
        foreach (DissectionNode child in node.Children)
        {
            if (DissectedPayload.IsPayloadNode(child))
            {
                payloads.Add(DissectedPayload.FromNode(child));
                continue;
            }

            Match e = EncryptedLine().Match(child.Text);
            if (e.Success)
            {
                encryptedLength = int.Parse(e.Groups["n"].Value, CultureInfo.InvariantCulture);
                foreach (DissectionNode inner in child.Children)
                {
                    if (DissectedPayload.IsPayloadNode(inner))
                    {
                        decrypted.Add(DissectedPayload.FromNode(inner));
                    }
                    else if (inner.Label == "Extra data")
                    {
                        extra = inner.Value;
                    }
                }

                continue;
            }

            if (child.Label == "Extra data")
            {
                extra = child.Value;
            }
        }

        return new DissectedMessage
        {
            InitiatorCookie = node.ChildValue("Initiator SPI") ?? throw new FormatException("no Initiator SPI"),
            ResponderCookie = node.ChildValue("Responder SPI") ?? throw new FormatException("no Responder SPI"),
            NextPayload = Dissection.TrailingNumber(node.ChildValue("Next payload")),
            Version = node.ChildValue("Version") ?? string.Empty,
            ExchangeType = Dissection.TrailingNumber(node.ChildValue("Exchange type")),
            Flags = (int)Dissection.HexNumber(node.ChildValue("Flags")),
            MessageId = (uint)Dissection.HexNumber(node.ChildValue("Message ID")),
            Length = Dissection.TrailingNumber(node.ChildValue("Length")),
            Payloads = payloads,
            EncryptedLength = encryptedLength,
            DecryptedPayloads = decrypted,
            ExtraData = extra,
        };
    }
}
