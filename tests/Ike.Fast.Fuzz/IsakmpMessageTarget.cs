using System.Text.Json;
using Ike.Fast.Diagnostics;
using Ike.Fast.Wire;

namespace Ike.Fast.Fuzz;

/// <summary>
/// The fuzz target: one input is one ISAKMP message (no non-ESP marker). It goes through the whole reader walk
/// the inspect formatter does (header checks, payload chain, every payload body parser, SA → proposal →
/// transform → attribute readers), and the bytes after the header are also walked as a decrypted body
/// (PayloadChainReader.ForDecryptedBody) starting from the header's next-payload field. Output goes to a JSON
/// writer with validation on, so an unbalanced object or a duplicate member in the formatter is a crash too.
/// It is walked once more with the lenient reader options (trailing bytes, unknown payload types). Finally the
/// input goes through <see cref="CaptureInspector.InspectDatagram"/> (datagram classification and
/// IKE fragment reassembly).
/// Any exception is a finding.
/// </summary>
public static class IsakmpMessageTarget
{
    private const int IsakmpHeaderLength = 28;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static void Run(ReadOnlySpan<byte> data)
    {
        Utf8JsonWriter writer = t_writer ??= new Utf8JsonWriter(Stream.Null, new JsonWriterOptions { SkipValidation = false });
        writer.Reset(Stream.Null);
        MessageFormatter.WriteJson(writer, data);
        writer.Reset(Stream.Null);
        ReadOnlySpan<byte> body = data.Length > IsakmpHeaderLength ? data[IsakmpHeaderLength..] : default;
        MessageFormatter.WriteJson(writer, data, body, hashVerified: null);
        writer.Reset(Stream.Null);
        MessageFormatter.WriteTree(TextWriter.Null, data, body, hashVerified: false);
        writer.Reset(Stream.Null);
        MessageFormatter.WriteJson(writer, data, default, IsakmpReadOptions.AllowTrailingBytes | IsakmpReadOptions.AllowUnknownPayloadTypes);

        // The inspect path for raw datagrams: non-ESP marker / keepalive detection, both output formats, and the
        // IKE fragment reassembler (the input offered twice so a lone last fragment completes a message).
        var inspector = new CaptureInspector(TextWriter.Null, json: true);
        inspector.InspectDatagram(data, 1);
        inspector.InspectDatagram(data, 2);
        new CaptureInspector(TextWriter.Null, json: false).InspectDatagram(data, 1);
    }
}
