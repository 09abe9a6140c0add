using System.Text;
using Ike.Fast.Wire;

namespace Ike.Fast.Host.Daemon;

/// <summary>The Debug-level description of a datagram: the ISAKMP header fields (RFC 2408 section 3.1) and a hex dump.</summary>
internal static class DatagramDump
{
    /// <summary>Bytes of hex shown; the rest is elided (the header says how long the message is).</summary>
    private const int MaxDumpBytes = 512;

    public static string Describe(ReadOnlySpan<byte> datagram)
    {
        var text = new StringBuilder(64 + (2 * Math.Min(datagram.Length, MaxDumpBytes)));
        if (IsakmpHeader.TryReadUnchecked(datagram, out var header))
        {
            text.Append(header.ExchangeType)
                .Append(" i=").Append(header.InitiatorCookie.ToString("x16"))
                .Append(" r=").Append(header.ResponderCookie.ToString("x16"))
                .Append(" msgid=").Append(header.MessageId.ToString("x8"))
                .Append(" next=").Append(header.NextPayload)
                .Append(header.IsEncrypted ? " encrypted" : "")
                .Append(' ');
        }
        else
        {
            text.Append("(not ISAKMP) ");
        }

        text.Append(Convert.ToHexStringLower(datagram[..Math.Min(datagram.Length, MaxDumpBytes)]));
        if (datagram.Length > MaxDumpBytes)
        {
            text.Append("...");
        }

        return text.ToString();
    }
}
