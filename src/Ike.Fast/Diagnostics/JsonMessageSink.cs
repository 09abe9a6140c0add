using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// Writes one ISAKMP message as one JSON object:
/// {"frame":N,"time":"…","src":"ip:port","dst":"ip:port","nonEspMarker":bool,"reassembledFrom":[N,…],"header":{…},"encrypted":bool,
/// "payloads":[{"type":N,"length":N,…}],"error":{"reason":"…","offset":N}}. Context members are omitted when
/// unknown; "error" only appears for a malformed message. Byte strings are lowercase hex.
/// </summary>
internal sealed class JsonMessageSink(Utf8JsonWriter writer) : IMessageSink
{
    public void BeginMessage(in DatagramContext context)
    {
        writer.WriteStartObject();
        if (context.Frame is int frame)
        {
            writer.WriteNumber("frame"u8, frame);
        }

        if (context.Timestamp is DateTimeOffset time)
        {
            writer.WriteString("time"u8, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        }

        if (context.Source is not null)
        {
            writer.WriteString("src"u8, context.Source);
        }

        if (context.Destination is not null)
        {
            writer.WriteString("dst"u8, context.Destination);
        }

        if (context.NonEspMarker)
        {
            writer.WriteBoolean("nonEspMarker"u8, true);
        }

        if (context.ReassembledFrom is { } frames)
        {
            writer.WriteStartArray("reassembledFrom"u8);
            foreach (int? f in frames)
            {
                if (f is int n)
                {
                    writer.WriteNumberValue(n);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }

            writer.WriteEndArray();
        }
    }

    public void Header(in IsakmpHeader header)
    {
        Span<byte> cookie = stackalloc byte[8];
        writer.WriteStartObject("header"u8);
        BinaryPrimitives.WriteUInt64BigEndian(cookie, header.InitiatorCookie);
        writer.WriteString("icookie"u8, Convert.ToHexStringLower(cookie));
        BinaryPrimitives.WriteUInt64BigEndian(cookie, header.ResponderCookie);
        writer.WriteString("rcookie"u8, Convert.ToHexStringLower(cookie));
        writer.WriteNumber("nextPayload"u8, (byte)header.NextPayload);
        writer.WriteString("version"u8, $"{header.MajorVersion}.{header.MinorVersion}");
        writer.WriteNumber("exchangeType"u8, (byte)header.ExchangeType);
        writer.WriteNumber("flags"u8, (byte)header.Flags);
        writer.WriteNumber("messageId"u8, header.MessageId);
        writer.WriteNumber("length"u8, header.Length);
        writer.WriteEndObject();
        writer.WriteBoolean("encrypted"u8, header.IsEncrypted);
    }

    public void EndMessage()
    {
        writer.WriteEndObject();
        writer.Flush();
    }

    public void BeginPayload(int type, int length, int offset)
    {
        writer.WriteStartObject();
        writer.WriteNumber("type"u8, type);
        writer.WriteNumber("length"u8, length);
    }

    public void EndPayload() => writer.WriteEndObject();

    public void BeginObject(string? name, string title)
    {
        if (name is null)
        {
            writer.WriteStartObject();
        }
        else
        {
            writer.WriteStartObject(name);
        }
    }

    public void EndObject() => writer.WriteEndObject();

    public void BeginArray(string name) => writer.WriteStartArray(name);

    public void EndArray() => writer.WriteEndArray();

    public void Number(string name, long value, string? meaning = null, bool inTitle = false) => writer.WriteNumber(name, value);

    public void Bytes(string name, ReadOnlySpan<byte> value, string? meaning = null, bool inTitle = false) => writer.WriteString(name, Convert.ToHexStringLower(value));

    public void BytesElement(string treeName, ReadOnlySpan<byte> value) => writer.WriteStringValue(Convert.ToHexStringLower(value));

    public void Attribute(int type, string? typeName, bool isBasic, ushort basicValue, ReadOnlySpan<byte> variableValue, string? valueName)
    {
        writer.WriteStartObject();
        writer.WriteNumber("type"u8, type);
        if (isBasic)
        {
            writer.WriteNumber("value"u8, basicValue);
        }
        else
        {
            writer.WriteString("value"u8, Convert.ToHexStringLower(variableValue));
        }

        writer.WriteEndObject();
    }

    public void Text(string name, string value) => writer.WriteString(name, value);

    public void Boolean(string name, bool value) => writer.WriteBoolean(name, value);

    public void Fault(string reason, int offset)
    {
        // A fault can arrive while arrays/objects of the payload walk are still open; the walker closes them
        // before reporting, so "error" is always a member of the message object.
        writer.WriteStartObject("error"u8);
        writer.WriteString("reason"u8, reason);
        writer.WriteNumber("offset"u8, offset);
        writer.WriteEndObject();
    }
}
