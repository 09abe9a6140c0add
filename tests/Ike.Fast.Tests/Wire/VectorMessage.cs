using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ike.Fast.Tests.Wire;

/// <summary>One entry of a vector file's <c>messages[]</c> / <c>reassembled_fragments[]</c>.</summary>
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
