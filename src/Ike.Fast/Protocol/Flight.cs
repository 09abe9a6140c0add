using System.Net;

namespace Ike.Fast.Protocol;

/// <summary>
/// The last message an exchange sent, kept for retransmission (RFC 2408 §5: the sender of a request retransmits
/// with back-off until the reply arrives) and for answering a retransmitted request with the same reply (no second
/// DH, no state change). The buffer is reused for the next message of the same exchange.
/// </summary>
internal sealed class Flight
{
    public byte[] Buffer = new byte[512];
    public int Length;

    /// <summary>True while we wait for a reply and must retransmit on timeout.</summary>
    public bool AwaitingReply;

    public int Attempts;
    public long Deadline = long.MaxValue;
    public long Interval;

    /// <summary>Hash and length of the last datagram received from the peer in this exchange (duplicate detection).</summary>
    public int LastInHash;
    public int LastInLength = -1;

    /// <summary>Non-zero: send the message as IKE fragments of at most this many bytes when it is larger.</summary>
    public int FragmentSize;
    public ushort FragmentId;

    public IPEndPoint? Local;
    public IPEndPoint? Remote;

    public Span<byte> Writable(int size)
    {
        if (Buffer.Length < size)
        {
            Buffer = new byte[size];
        }

        return Buffer;
    }

    public void Arm(long now, long interval, bool awaitingReply)
    {
        AwaitingReply = awaitingReply;
        Attempts = 0;
        Interval = interval;
        Deadline = awaitingReply ? now + interval : long.MaxValue;
    }

    public void Stop()
    {
        AwaitingReply = false;
        Deadline = long.MaxValue;
    }

    public void RememberIncoming(ReadOnlySpan<byte> datagram)
    {
        LastInHash = HashOf(datagram);
        LastInLength = datagram.Length;
    }

    public bool IsRepeat(ReadOnlySpan<byte> datagram) => datagram.Length == LastInLength && HashOf(datagram) == LastInHash;

    private static int HashOf(ReadOnlySpan<byte> data)
    {
        var h = new HashCode();
        h.AddBytes(data);
        return h.ToHashCode();
    }
}
