using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ike.Fast.Diagnostics.Decryption;
using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics;

/// <summary>
/// The logic of <c>ikefast inspect</c>: finds the ISAKMP messages in a capture file or in raw datagrams and
/// writes each as a tree or as one JSON line. Problems with one frame or message are reported and the run
/// continues with the next. Counts are kept for the caller's exit code and for tests. <paramref name="options"/>
/// relaxes the wire reader (see <see cref="IsakmpReadOptions"/>). With a <see cref="Decryptor"/> (<c>--secrets</c>)
/// every message also goes through it and encrypted ones are shown with their decrypted payloads.
/// </summary>
public sealed class CaptureInspector(TextWriter output, bool json, IsakmpReadOptions options = IsakmpReadOptions.None)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly IkeFragmentReassembler _fragments = new();

    /// <summary>Decrypts encrypted messages when set (every message is shown to it, in capture order).</summary>
    public CaptureDecryptor? Decryptor { get; init; }

    /// <summary>ISAKMP messages written.</summary>
    public int Messages { get; private set; }

    /// <summary>Messages rebuilt from IKE fragments (written after their last fragment; not in <see cref="Messages"/>).</summary>
    public int Reassembled { get; private set; }

    /// <summary>ISAKMP messages (received or reassembled) that stopped on a wire error.</summary>
    public int Malformed { get; private set; }

    /// <summary>Other datagrams on the IKE ports (NAT-keepalives, ESP in UDP).</summary>
    public int OtherDatagrams { get; private set; }

    /// <summary>Frames or lines that could not be decoded at all (bad pcap record, bad hex).</summary>
    public int Unreadable { get; private set; }

    /// <summary>Inspects a whole pcap/pcapng file held in memory.</summary>
    public void InspectCapture(ReadOnlySpan<byte> file)
    {
        if (!PcapReader.TryOpen(file, out PcapReader reader, out PcapError openError))
        {
            Unreadable++;
            NoteLine(null, $"not a capture file: {openError}");
            return;
        }

        while (reader.TryReadNext(out PcapRecord record))
        {
            if (UdpPacketDecoder.TryDecode(record.LinkType, record.Data, out UdpDatagram udp) != PacketDecodeStatus.Ok)
            {
                continue; // not UDP over IP: not ours to show
            }

            IkeDatagramKind kind = IkeDatagram.Classify(udp.SourcePort, udp.DestinationPort, udp.Payload, out ReadOnlySpan<byte> isakmp, out bool marker);
            if (kind == IkeDatagramKind.NotIke)
            {
                continue;
            }

            var context = new DatagramContext(record.FrameNumber, record.Timestamp, udp.FormatSource(), udp.FormatDestination(), marker);
            InspectClassified(kind, udp.Payload, isakmp, context);
        }

        if (reader.Error != PcapError.None)
        {
            Unreadable++;
            NoteLine(null, $"capture file damaged: {reader.Error}; stopped reading");
        }
    }

    /// <summary>Inspects one datagram given as hex (whitespace and a leading 0x allowed); <paramref name="line"/> numbers it.</summary>
    public void InspectHex(string hex, int line)
    {
        string compact = new(hex.Where(c => !char.IsWhiteSpace(c) && c != ':').ToArray());
        if (compact.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            compact = compact[2..];
        }

        if (compact.Length == 0)
        {
            return;
        }

        // OperationStatus, not an exception, for odd lengths and non-hex characters.
        byte[] bytes = new byte[(compact.Length + 1) / 2];
        if (Convert.FromHexString(compact, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != bytes.Length)
        {
            Unreadable++;
            NoteLine(line, "not a hex string");
            return;
        }

        InspectDatagram(bytes, line);
    }

    /// <summary>Inspects one raw datagram (UDP payload; a leading non-ESP marker is recognised).</summary>
    public void InspectDatagram(ReadOnlySpan<byte> datagram, int? index)
    {
        IkeDatagramKind kind = IkeDatagram.ClassifyWithoutPorts(datagram, out ReadOnlySpan<byte> isakmp, out bool marker);
        InspectClassified(kind, datagram, isakmp, new DatagramContext(Frame: index, NonEspMarker: marker));
    }

    private void InspectClassified(IkeDatagramKind kind, ReadOnlySpan<byte> udpPayload, ReadOnlySpan<byte> isakmp, in DatagramContext context)
    {
        switch (kind)
        {
            case IkeDatagramKind.Isakmp:
                Messages++;
                WriteMessage(isakmp, context);
                if (_fragments.TryAdd(isakmp, context.Frame, out byte[] whole, out int?[] frames))
                {
                    // Shown after the fragment that completed it, as Wireshark does.
                    Reassembled++;
                    WriteMessage(whole, context with { NonEspMarker = false, ReassembledFrom = frames });
                }

                break;
            case IkeDatagramKind.NatKeepalive:
                OtherDatagrams++;
                Note(context, "NAT-keepalive (RFC 3948 section 2.3)");
                break;
            case IkeDatagramKind.EspInUdp:
                OtherDatagrams++;
                uint spi = BinaryPrimitives.ReadUInt32BigEndian(udpPayload);
                string sequence = udpPayload.Length >= 8
                    ? BinaryPrimitives.ReadUInt32BigEndian(udpPayload[4..]).ToString(CultureInfo.InvariantCulture)
                    : "?";
                Note(context, $"ESP in UDP (RFC 3948): SPI {spi:x8}, sequence {sequence}, {udpPayload.Length} bytes");
                break;
            default:
                OtherDatagrams++;
                Note(context, $"{udpPayload.Length}-byte datagram on port 4500 that is neither ISAKMP, ESP nor a keepalive");
                break;
        }
    }

    private void WriteMessage(ReadOnlySpan<byte> message, in DatagramContext context)
    {
        ReadOnlySpan<byte> plaintext = default;
        bool? hashVerified = null;
        bool decrypted = Decryptor?.Process(message, context.Source, context.Frame, out plaintext, out hashVerified) ?? false;
        bool clean;
        if (json)
        {
            _buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_buffer))
            {
                clean = decrypted
                    ? MessageFormatter.WriteJson(writer, message, plaintext, hashVerified, context, options)
                    : MessageFormatter.WriteJson(writer, message, context, options);
            }

            output.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        }
        else
        {
            clean = decrypted
                ? MessageFormatter.WriteTree(output, message, plaintext, hashVerified, context, options)
                : MessageFormatter.WriteTree(output, message, context, options);
        }

        if (!clean)
        {
            Malformed++;
        }

        if (Decryptor is not null)
        {
            foreach (KeymatRecord keymat in Decryptor.TakeNewKeymats())
            {
                WriteKeymat(keymat);
            }
        }
    }

    /// <summary>A Quick Mode KEYMAT (only with --show-keys): a tree line, or a JSON line {"keymat":{...}}.</summary>
    private void WriteKeymat(KeymatRecord keymat)
    {
        string direction = keymat.InitiatorToResponder ? "initiatorToResponder" : "responderToInitiator";
        if (json)
        {
            _buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_buffer))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("keymat");
                writer.WriteString("icookie", keymat.InitiatorCookie.ToString("x16", CultureInfo.InvariantCulture));
                writer.WriteString("messageId", keymat.MessageId.ToString("x8", CultureInfo.InvariantCulture));
                writer.WriteNumber("protocolId", keymat.ProtocolId);
                writer.WriteString("spi", Convert.ToHexStringLower(keymat.Spi));
                writer.WriteString("direction", direction);
                if (keymat.Problem is string problem)
                {
                    writer.WriteString("problem", problem);
                }
                else
                {
                    writer.WriteString("encryptionKey", Convert.ToHexStringLower(keymat.EncryptionKey));
                    writer.WriteString("integrityKey", Convert.ToHexStringLower(keymat.IntegrityKey));
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            output.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
            return;
        }

        string arrow = keymat.InitiatorToResponder ? "initiator -> responder" : "responder -> initiator";
        output.WriteLine($"KEYMAT Quick Mode {keymat.MessageId:x8}, protocol {keymat.ProtocolId}, SPI {Convert.ToHexStringLower(keymat.Spi)} ({arrow}):");
        if (keymat.Problem is string why)
        {
            output.WriteLine($"  not derived: {why}");
        }
        else
        {
            output.WriteLine($"  encryption key {Convert.ToHexStringLower(keymat.EncryptionKey)}");
            output.WriteLine($"  integrity key  {Convert.ToHexStringLower(keymat.IntegrityKey)}");
        }

        output.WriteLine();
    }

    /// <summary>A one-line remark (non-ISAKMP datagram, unreadable input): a tree line, or nothing in JSON mode.</summary>
    private void Note(in DatagramContext context, string text)
    {
        if (json)
        {
            return;
        }

        // Same first line as a message's tree, then the remark.
        string where = TreeMessageSink.FormatContext(context);
        output.WriteLine(where.Length == 0 ? text : $"{where}  {text}");
        output.WriteLine();
    }

    private void NoteLine(int? line, string text)
    {
        if (json)
        {
            return;
        }

        output.WriteLine(line is int l ? $"Line {l}: {text}" : text);
    }
}
