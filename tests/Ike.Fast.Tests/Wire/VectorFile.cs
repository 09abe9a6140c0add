using System.Text.Json;

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
