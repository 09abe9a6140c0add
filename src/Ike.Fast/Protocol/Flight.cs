using System.Net;
using System.Numerics;

namespace Ike.Fast.Protocol;

/// <summary>
/// The last message an exchange sent, kept for retransmission (RFC 2408 §5: the sender of a request retransmits
/// with back-off until the reply arrives) and for answering a retransmitted request with the same reply (no second
/// DH, no state change). The buffer is reused for the next message of the same exchange.
/// <para>
/// The buffer is rented from the endpoint's <see cref="Pool"/> when the exchange first writes and given back by
/// <see cref="ReleaseBuffer"/> once the message no longer needs keeping (an established Phase 1 after its reply
/// cache, a finished Quick Mode at recycling): an idle SA holds no datagram buffer, and a steady stream of
/// handshakes reuses the same few thousand buffers instead of keeping 8 KiB per established SA.
/// </para>
/// </summary>
internal sealed class Flight
{
    /// <summary>
    /// Where the buffer comes from and goes back to: the owning endpoint's pool, set when the exchange is rented (null:
    /// a flight outside the pools, whose buffer is simply allocated and dropped).
    /// </summary>
    public FlightBufferPool? Pool;

    public byte[] Buffer = [];
    public int Length;

    /// <summary>True while we wait for a reply and must retransmit on timeout.</summary>
    public bool AwaitingReply;

    public int Attempts;
    public long Deadline = long.MaxValue;
    public long Interval;

    /// <summary>Hash and length of the last datagram received from the peer in this exchange (duplicate detection).</summary>
    public int LastInHash;
    public int LastInLength = -1;

    /// <summary>
    /// Hash and length of the datagram this flight answers (the last one received when it was armed), or -1 when it
    /// answers nothing (an initiator's first message). Only a repeat of that datagram gets the flight again: a
    /// duplicate of a later message (e.g. MM6 at an initiator whose last flight is MM5) must not resend it, or two
    /// endpoints bounce the pair forever.
    /// </summary>
    public int AnsweredHash;
    public int AnsweredLength = -1;

    /// <summary>Non-zero: send the message as IKE fragments of at most this many bytes when it is larger.</summary>
    public int FragmentSize;
    public ushort FragmentId;

    public IPEndPoint? Local;
    public IPEndPoint? Remote;

    /// <summary>True while the flight holds a rented buffer.</summary>
    public bool HoldsBuffer => Buffer.Length != 0;

    /// <summary>
    /// Gives the buffer back (it only ever held datagrams sent in clear or encrypted, so it is not zeroed) and forgets
    /// the message: a later repeat of the request it answered is counted but no longer answered.
    /// </summary>
    public void ReleaseBuffer()
    {
        if (Buffer.Length != 0)
        {
            Pool?.Return(Buffer);
            Buffer = [];
        }

        Length = 0;
    }

    /// <summary>
    /// Moves the message kept for repeats into a pooled buffer of the smallest power-of-two size (at least
    /// <see cref="MinimumKeptSize"/>) that holds it, and gives the exchange-sized buffer back: called when an exchange
    /// is done and its last message is only kept for the reply cache. The 8 KiB (Phase 1) and 4 KiB (Quick Mode)
    /// writing buffers then circulate among the exchanges in progress instead of being allocated for every new
    /// handshake and held for the reply cache (about 12 KiB of fresh, zeroed and promoted memory per handshake). With
    /// no message kept (<see cref="Length"/> 0) the buffer goes back to the pool outright.
    /// </summary>
    public void Trim()
    {
        if (Pool is null)
        {
            return;
        }

        if (Length <= 0)
        {
            // Nothing is kept for repeats (a Quick Mode responder after QM3, RFC 2409 §5.5: the last message has no
            // reply): the exchange-sized buffer goes back now instead of staying with the finished exchange for the
            // whole reply cache time, which made every handshake rent a fresh 4 KiB buffer (issue #8).
            ReleaseBuffer();
            return;
        }

        int size = Math.Max(MinimumKeptSize, (int)BitOperations.RoundUpToPowerOf2((uint)Length));
        if (size >= Buffer.Length)
        {
            return;
        }

        byte[] kept = Pool.Rent(size);
        Buffer.AsSpan(0, Length).CopyTo(kept);
        Pool.Return(Buffer);
        Buffer = kept;
    }

    /// <summary>The smallest buffer <see cref="Trim"/> keeps a message in.</summary>
    public const int MinimumKeptSize = 256;

    /// <summary>Back to the initial state for reuse; the buffer goes back to <see cref="Pool"/> (set again when rented).</summary>
    public void Reset()
    {
        ReleaseBuffer();
        Pool = null;
        AwaitingReply = false;
        Attempts = 0;
        Deadline = long.MaxValue;
        Interval = 0;
        LastInHash = 0;
        LastInLength = -1;
        AnsweredHash = 0;
        AnsweredLength = -1;
        FragmentSize = 0;
        FragmentId = 0;
        Local = null;
        Remote = null;
    }

    public Span<byte> Writable(int size)
    {
        if (Buffer.Length < size)
        {
            byte[] old = Buffer;
            Buffer = Pool?.Rent(size) ?? new byte[size];
            if (old.Length != 0)
            {
                Pool?.Return(old);
            }
        }

        return Buffer;
    }

    public void Arm(long now, long interval, bool awaitingReply)
    {
        AwaitingReply = awaitingReply;
        AnsweredHash = LastInHash;
        AnsweredLength = LastInLength;
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

    /// <summary>True when <paramref name="datagram"/> is the message this flight was the reply to.</summary>
    public bool Answers(ReadOnlySpan<byte> datagram) => datagram.Length == AnsweredLength && HashOf(datagram) == AnsweredHash;

    private static int HashOf(ReadOnlySpan<byte> data)
    {
        var h = new HashCode();
        h.AddBytes(data);
        return h.ToHashCode();
    }
}
