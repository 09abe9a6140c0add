using System.Globalization;
using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// Writes one ISAKMP message as an indented text tree for people: a summary line per message, one line per
/// payload with its registry name, and the payload's fields below it. Long byte strings are shortened (the JSON
/// output always carries them whole).
/// </summary>
internal sealed class TreeMessageSink(TextWriter output) : IMessageSink
{
    /// <summary>Byte strings longer than this are shown as their first bytes and the total length.</summary>
    public const int MaxBytesShown = 32;

    private const string Indent = "  ";
    private int _depth;

    public void BeginMessage(in DatagramContext context)
    {
        _depth = 0;
        string line = FormatContext(context);
        if (line.Length > 0)
        {
            output.WriteLine(line);
        }
    }

    /// <summary>"Frame N  time  src -> dst  (non-ESP marker)  reassembled from ..." with the parts that are known.</summary>
    internal static string FormatContext(in DatagramContext context)
    {
        var line = new System.Text.StringBuilder();
        if (context.Frame is int frame)
        {
            line.Append(CultureInfo.InvariantCulture, $"Frame {frame}");
        }

        if (context.Timestamp is DateTimeOffset time)
        {
            line.Append(line.Length > 0 ? "  " : string.Empty)
                .Append(time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        }

        if (context.Source is not null || context.Destination is not null)
        {
            line.Append(line.Length > 0 ? "  " : string.Empty)
                .Append(context.Source ?? "?").Append(" -> ").Append(context.Destination ?? "?");
        }

        if (context.NonEspMarker)
        {
            line.Append("  (non-ESP marker)");
        }

        if (context.ReassembledFrom is { } frames)
        {
            line.Append(line.Length > 0 ? "  " : string.Empty)
                .Append("reassembled from IKE fragments in frames ")
                .Append(string.Join(", ", frames.Select(f => f?.ToString(CultureInfo.InvariantCulture) ?? "?")));
        }

        return line.ToString();
    }

    public void Header(in IsakmpHeader header)
    {
        string exchange = Named(IkeNames.ExchangeType((byte)header.ExchangeType), (byte)header.ExchangeType);
        string encrypted = header.IsEncrypted ? "encrypted" : "plaintext";
        WriteLine($"ISAKMP {exchange}, {header.Length} bytes, {encrypted}, message ID {header.MessageId:x8}");
        _depth++;
        WriteLine($"cookies: {header.InitiatorCookie:x16} {header.ResponderCookie:x16}");
        var flags = new List<string>(3);
        if ((header.Flags & IsakmpFlags.Encryption) != 0)
        {
            flags.Add("E");
        }

        if ((header.Flags & IsakmpFlags.Commit) != 0)
        {
            flags.Add("C");
        }

        if ((header.Flags & IsakmpFlags.AuthenticationOnly) != 0)
        {
            flags.Add("A");
        }

        string flagText = flags.Count == 0 ? string.Empty : $" ({string.Join('|', flags)})";
        WriteLine($"version {header.MajorVersion}.{header.MinorVersion}, flags 0x{(byte)header.Flags:x2}{flagText}, next payload: {Named(IkeNames.PayloadType((byte)header.NextPayload), (byte)header.NextPayload)}");
    }

    public void EndMessage()
    {
        _depth = 0;
        output.WriteLine();
    }

    public void BeginPayload(int type, int length, int offset)
    {
        WriteLine($"{Named(IkeNames.PayloadType(type), type)}, {length} bytes");
        _depth++;
    }

    public void EndPayload() => _depth--;

    public void BeginObject(string? name, string title)
    {
        WriteLine(title);
        _depth++;
    }

    public void EndObject() => _depth--;

    public void BeginArray(string name)
    {
    }

    public void EndArray()
    {
    }

    public void Number(string name, long value, string? meaning = null, bool inTitle = false)
    {
        if (!inTitle)
        {
            WriteLine(meaning is null ? $"{name}: {value}" : $"{name}: {meaning} ({value})");
        }
    }

    public void Bytes(string name, ReadOnlySpan<byte> value, string? meaning = null, bool inTitle = false)
    {
        if (inTitle)
        {
            return;
        }

        string hex = value.Length == 0
            ? "(empty)"
            : value.Length > MaxBytesShown
                ? $"{Convert.ToHexStringLower(value[..MaxBytesShown])}… ({value.Length} bytes)"
                : Convert.ToHexStringLower(value);
        WriteLine(meaning is null ? $"{name}: {hex}" : $"{name}: {hex} ({meaning})");
    }

    public void BytesElement(string treeName, ReadOnlySpan<byte> value) => Bytes(treeName, value, null, false);

    public void Attribute(int type, string? typeName, bool isBasic, ushort basicValue, ReadOnlySpan<byte> variableValue, string? valueName)
    {
        string name = Named(typeName, type);
        if (isBasic)
        {
            WriteLine($"{name}: {Named(valueName, basicValue)}");
        }
        else
        {
            Bytes(name, variableValue, valueName, false);
        }
    }

    public void Text(string name, string value) => WriteLine($"{name}: {value}");

    public void Boolean(string name, bool value) => WriteLine($"{name}: {(value ? "yes" : "no")}");

    public void Fault(string reason, int offset) => WriteLine($"!! malformed: {reason} at offset {offset}");

    private void WriteLine(string text)
    {
        for (int i = 0; i < _depth; i++)
        {
            output.Write(Indent);
        }

        output.WriteLine(text);
    }

    private static string Named(string? name, long value) =>
        name is null ? value.ToString(CultureInfo.InvariantCulture) : $"{name} ({value})";
}
