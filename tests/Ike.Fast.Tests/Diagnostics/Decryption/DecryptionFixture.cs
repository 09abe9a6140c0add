using System.Text.Json;
using Ike.Fast.Diagnostics;
using Ike.Fast.Diagnostics.Decryption;
using Ike.Fast.Tests.Captures;

namespace Ike.Fast.Tests.Diagnostics.Decryption;

/// <summary>Runs the inspector over a capture with a secrets file and keeps what it printed and decrypted.</summary>
internal sealed class DecryptionFixture
{
    public required List<JsonElement> Lines { get; init; }

    public required CaptureInspector Inspector { get; init; }

    public required CaptureDecryptor Decryptor { get; init; }

    public required List<DecryptionRecord> History { get; init; }

    /// <summary>Every capture that has a key vector.</summary>
    public static TheoryData<string> VectorIds()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Dissection.VectorsDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            string id = Path.GetFileNameWithoutExtension(path);
            if (File.Exists(CaptureFile.PcapPath(id)))
            {
                data.Add(id);
            }
        }

        return data;
    }

    public static JsonElement LoadVector(string id)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(CaptureFile.VectorPath(id)));
        return document.RootElement.Clone();
    }

    /// <summary>Inspects the given captures in order with one decryptor for <paramref name="secretsJson"/>.</summary>
    public static DecryptionFixture Run(string secretsJson, bool deriveKeymat, params string[] ids)
    {
        Assert.True(SecretsFile.TryParse(secretsJson, out IReadOnlyList<Phase1Secrets> secrets, out string? error), error);
        var history = new List<DecryptionRecord>();
        var decryptor = new CaptureDecryptor(secrets) { DeriveKeymat = deriveKeymat, History = history };
        using var output = new StringWriter();
        var inspector = new CaptureInspector(output, json: true) { Decryptor = decryptor };
        foreach (string id in ids)
        {
            inspector.InspectCapture(File.ReadAllBytes(CaptureFile.PcapPath(id)));
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line =>
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                return doc.RootElement.Clone();
            }).ToList();
        return new DecryptionFixture { Lines = lines, Inspector = inspector, Decryptor = decryptor, History = history };
    }

    /// <summary>Payload type numbers for the vector's payload names.</summary>
    public static int PayloadType(string name) => name switch
    {
        "SA" => 1,
        "KE" => 4,
        "ID" => 5,
        "CERT" => 6,
        "CR" => 7,
        "HASH" => 8,
        "SIG" => 9,
        "NONCE" => 10,
        "N" => 11,
        "D" => 12,
        "VID" => 13,
        "ATTR" => 14,
        "NAT-D" => 20,
        "NAT-OA" => 21,
        _ => throw new ArgumentException($"unknown payload name {name}", nameof(name)),
    };
}
