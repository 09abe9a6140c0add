using System.Buffers.Binary;
using System.Text.Json;
using Ike.Fast.Crypto;

namespace Ike.Fast.Tests.Crypto.KeySchedule;

/// <summary>One tests/data/vectors/*.json file (see its README): typed accessors over the JSON.</summary>
internal sealed class RecordedSession
{
    internal const int IsakmpHeaderLength = 28;

    private RecordedSession(string id, JsonElement root)
    {
        Id = id;
        Root = root;
    }

    internal string Id { get; }

    internal JsonElement Root { get; }

    internal static string Directory => Path.Combine(AppContext.BaseDirectory, "data", "vectors");

    internal static IEnumerable<string> Ids() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json").Select(Path.GetFileNameWithoutExtension).Order()!;

    internal static RecordedSession Load(string id)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, id + ".json")));
        return new RecordedSession(id, document.RootElement.Clone());
    }

    internal IkeHashAlgorithm Hash => Root.GetProperty("negotiated_phase1").GetProperty("hash").GetString() switch
    {
        "md5" => IkeHashAlgorithm.Md5,
        "sha1" => IkeHashAlgorithm.Sha1,
        "sha256" => IkeHashAlgorithm.Sha256,
        "sha384" => IkeHashAlgorithm.Sha384,
        "sha512" => IkeHashAlgorithm.Sha512,
        string other => throw new NotSupportedException(other),
        null => throw new InvalidDataException("hash"),
    };

    internal IkeEncryptionAlgorithm Encryption => Root.GetProperty("negotiated_phase1").GetProperty("encryption").GetString() switch
    {
        "AES-CBC" => IkeEncryptionAlgorithm.AesCbc,
        "3DES-CBC" => IkeEncryptionAlgorithm.TripleDesCbc,
        string other => throw new NotSupportedException(other),
        null => throw new InvalidDataException("encryption"),
    };

    internal int KeyBytes => Root.GetProperty("negotiated_phase1").GetProperty("key_bytes").GetInt32();

    internal bool IsPreSharedKey => Root.GetProperty("negotiated_phase1").GetProperty("auth_method").GetString() == "pre-shared key";

    internal byte[] Hex(string name) => Hex(Root, name);

    internal static byte[] Hex(JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    internal static byte[]? OptionalHex(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? Convert.FromHexString(value.GetString()!)
            : null;

    internal static uint MessageId(JsonElement element) =>
        BinaryPrimitives.ReadUInt32BigEndian(Hex(element, "message_id"));

    /// <summary>Encrypted ISAKMP messages in wire order, reassembled fragments in place of their last fragment.</summary>
    internal IEnumerable<JsonElement> EncryptedMessages()
    {
        var all = new List<JsonElement>();
        all.AddRange(Root.GetProperty("messages").EnumerateArray());
        if (Root.GetProperty("reassembled_fragments").ValueKind == JsonValueKind.Array)
        {
            all.AddRange(Root.GetProperty("reassembled_fragments").EnumerateArray());
        }

        return all.Where(m => m.GetProperty("encrypted").GetBoolean())
            .OrderBy(m => m.GetProperty("frame").GetInt32());
    }

    internal JsonElement MessageAtFrame(int frame) => EncryptedMessages().Single(m => m.GetProperty("frame").GetInt32() == frame);

    /// <summary>
    /// Splits a decrypted message body (payload chain starting with HASH) into the HASH payload body and the
    /// payloads after it up to the end of the chain (generic headers included, ISAKMP padding excluded), walking
    /// the RFC 2408 §3.2 generic payload headers: next payload (1), reserved (1), payload length (2).
    /// </summary>
    internal static (byte[] HashBody, byte[] Following) SplitAfterHash(byte[] plaintext)
    {
        int hashLength = BinaryPrimitives.ReadUInt16BigEndian(plaintext.AsSpan(2));
        byte next = plaintext[0];
        int offset = hashLength;
        while (next != 0)
        {
            next = plaintext[offset];
            offset += BinaryPrimitives.ReadUInt16BigEndian(plaintext.AsSpan(offset + 2));
        }

        return (plaintext[4..hashLength], plaintext[hashLength..offset]);
    }
}
