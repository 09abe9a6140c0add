using System.Buffers;
using System.Text;
using System.Text.Json;
using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// Formats one ISAKMP message for people (<see cref="WriteTree"/>) or machines (<see cref="WriteJson"/>, one JSON
/// object). Malformed input is shown up to the first <see cref="WireError"/> with its offset, never thrown; the
/// Write methods return false when they reported one.
/// </summary>
public static class MessageFormatter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = false, SkipValidation = false };

    /// <summary>Writes <paramref name="message"/> as an indented tree followed by a blank line.</summary>
    public static bool WriteTree(TextWriter output, ReadOnlySpan<byte> message, in DatagramContext context = default,
        IsakmpReadOptions options = IsakmpReadOptions.None)
    {
        ArgumentNullException.ThrowIfNull(output);
        return MessageWalker.Walk(message, context, new TreeMessageSink(output), options);
    }

    /// <summary>Writes <paramref name="message"/> as one JSON object (no trailing newline).</summary>
    public static bool WriteJson(Utf8JsonWriter writer, ReadOnlySpan<byte> message, in DatagramContext context = default,
        IsakmpReadOptions options = IsakmpReadOptions.None)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return MessageWalker.Walk(message, context, new JsonMessageSink(writer), options);
    }

    /// <summary>
    /// Writes <paramref name="message"/> as one JSON object with its decrypted body (RFC 2409 section 5.3:
    /// payload chain then padding) in "decrypted":{"payloads":[...],"padding":"hex","hashVerified":bool}.
    /// Decryption itself is the caller's job (the crypto layer); this only formats.
    /// </summary>
    public static bool WriteJson(Utf8JsonWriter writer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> plaintext, bool? hashVerified, in DatagramContext context = default,
        IsakmpReadOptions options = IsakmpReadOptions.None)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return MessageWalker.Walk(message, context, new JsonMessageSink(writer), plaintext, hasPlaintext: true, hashVerified, options);
    }

    /// <summary>The tree for <paramref name="message"/> with its decrypted body under "decrypted:".</summary>
    public static bool WriteTree(TextWriter output, ReadOnlySpan<byte> message, ReadOnlySpan<byte> plaintext, bool? hashVerified, in DatagramContext context = default,
        IsakmpReadOptions options = IsakmpReadOptions.None)
    {
        ArgumentNullException.ThrowIfNull(output);
        return MessageWalker.Walk(message, context, new TreeMessageSink(output), plaintext, hasPlaintext: true, hashVerified, options);
    }

    /// <summary>The JSON object for <paramref name="message"/> as a string.</summary>
    public static string ToJson(ReadOnlySpan<byte> message, in DatagramContext context = default,
        IsakmpReadOptions options = IsakmpReadOptions.None)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            WriteJson(writer, message, context, options);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The tree for <paramref name="message"/> as a string.</summary>
    public static string ToTree(ReadOnlySpan<byte> message, in DatagramContext context = default,
        IsakmpReadOptions options = IsakmpReadOptions.None)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        WriteTree(writer, message, context, options);
        return writer.ToString();
    }
}
