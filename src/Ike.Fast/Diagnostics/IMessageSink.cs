using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// What <see cref="MessageWalker"/> reports while it walks one ISAKMP message. The walker decides *what* is
/// shown (field names are the RFC's in camelCase); a sink decides *how*: <see cref="JsonMessageSink"/> writes one
/// JSON object, <see cref="TreeMessageSink"/> an indented text tree. A decrypted payload chain is reported with
/// the same calls inside <see cref="BeginObject"/>("decrypted"), so decryption needs no formatter changes.
/// </summary>
internal interface IMessageSink
{
    void BeginMessage(in DatagramContext context);

    void Header(in IsakmpHeader header);

    void EndMessage();

    /// <summary>A payload object: JSON writes {"type":N,"length":N,...}; the tree prints a title line.</summary>
    void BeginPayload(int type, int length, int offset);

    void EndPayload();

    /// <summary>A named object (<paramref name="name"/> null inside an array); <paramref name="title"/> is the tree's line.</summary>
    void BeginObject(string? name, string title);

    void EndObject();

    void BeginArray(string name);

    void EndArray();

    /// <summary>A number; <paramref name="meaning"/> is its registry name when known (tree only). The tree skips
    /// it when <paramref name="inTitle"/> (already shown on the object's title line).</summary>
    void Number(string name, long value, string? meaning = null, bool inTitle = false);

    /// <summary>A byte string, lowercase hex in JSON; <paramref name="meaning"/> is a decoded form (tree only).</summary>
    void Bytes(string name, ReadOnlySpan<byte> value, string? meaning = null, bool inTitle = false);

    /// <summary>A byte string as an array element (JSON) / a "name: hex" line (tree).</summary>
    void BytesElement(string treeName, ReadOnlySpan<byte> value);

    /// <summary>A data attribute (RFC 2408 section 3.3): TV (<paramref name="isBasic"/>) or TLV. JSON {"type":N,"value":N or "hex"}.</summary>
    void Attribute(int type, string? typeName, bool isBasic, ushort basicValue, ReadOnlySpan<byte> variableValue, string? valueName);

    void Text(string name, string value);

    void Boolean(string name, bool value);

    /// <summary>The walk stopped: <paramref name="reason"/> (a WireError name) at byte <paramref name="offset"/> of the message.</summary>
    void Fault(string reason, int offset);
}
