using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ike.Fast.Tests.Wire;

/// <summary>Test-only view of tests/data/vectors/*.json: just what the wire tests need.</summary>
public sealed class VectorFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public string Id { get; set; } = "";

    public List<VectorMessage> Messages { get; set; } = [];

    public List<VectorMessage>? ReassembledFragments { get; set; }

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "data", "vectors");

    public static IEnumerable<string> Names =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json").Select(Path.GetFileNameWithoutExtension).Order()!;

    public static VectorFile Load(string name) =>
        JsonSerializer.Deserialize<VectorFile>(File.ReadAllText(Path.Combine(Directory, name + ".json")), Options)
        ?? throw new InvalidDataException(name);

    public static IEnumerable<VectorMessage> AllMessages() =>
        Names.Select(Load).SelectMany(f => f.Messages.Concat(f.ReassembledFragments ?? []));
}

public sealed class VectorMessage
{
    public int Index { get; set; }

    public string Exchange { get; set; } = "";

    public bool Encrypted { get; set; }

    public string Hex { get; set; } = "";

    public string? PlaintextHex { get; set; }

    public string? PaddingHex { get; set; }

    public JsonElement? Fragment { get; set; }

    public List<string> Payloads { get; set; } = [];

    [JsonIgnore]
    public byte[] Bytes => Convert.FromHexString(Hex);

    [JsonIgnore]
    public byte[]? Plaintext => PlaintextHex is null ? null : Convert.FromHexString(PlaintextHex);

    [JsonIgnore]
    public int PaddingLength => (PaddingHex?.Length ?? 0) / 2;
}
