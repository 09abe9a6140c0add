using System.Text;
using Ike.Fast.Wire;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// Log text for a datagram: a one-line summary of the ISAKMP header (RFC 2408 section 3.1: exchange type, cookies,
/// message ID, first payload, encryption flag) for the Information line each exchange step gets, and a hex dump for
/// Debug.
/// </summary>
internal static class DatagramDump
{
    /// <summary>Bytes of hex shown; the rest is elided (the header says how long the message is).</summary>
    private const int MaxDumpBytes = 2048;

    public static string Summary(ReadOnlySpan<byte> datagram)
    {
        if (!IsakmpHeader.TryReadUnchecked(datagram, out var header))
        {
            return "(not ISAKMP)";
        }

        var text = new StringBuilder(96);
        text.Append(header.ExchangeType)
            .Append(" i=").Append(header.InitiatorCookie.ToString("x16"))
            .Append(" r=").Append(header.ResponderCookie.ToString("x16"))
            .Append(" msgid=").Append(header.MessageId.ToString("x8"))
            .Append(" next=").Append(header.NextPayload);
        if (header.IsEncrypted)
        {
            text.Append(" encrypted");
        }

        return text.ToString();
    }

    public static string Hex(ReadOnlySpan<byte> datagram)
    {
        var hex = Convert.ToHexStringLower(datagram[..Math.Min(datagram.Length, MaxDumpBytes)]);
        return datagram.Length > MaxDumpBytes ? hex + "..." : hex;
    }
}
