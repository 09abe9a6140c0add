using System.Runtime.InteropServices;

namespace Ike.Fast.Protocol.Dpd;

/// <summary>
/// Dead Peer Detection bookkeeping of one ISAKMP SA (RFC 3706 §5.5-5.7): our sequence number (random start,
/// incremented per R-U-THERE, retransmissions included), the probes awaiting an ACK and the peer's last sequence.
/// Laid out by the runtime (the fields in declaration order padded it to 40 bytes, 32 packed: in every ISAKMP SA).
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct DpdState
{
    /// <summary>Sequence number of our next R-U-THERE (0 = not started: chosen at random on first use).</summary>
    public uint NextSequence;

    /// <summary>First sequence number of the unanswered probes (valid while <see cref="Outstanding"/>).</summary>
    public uint FirstOutstanding;

    /// <summary>Probes sent and not yet acknowledged.</summary>
    public bool Outstanding;

    /// <summary>When the first unanswered probe left (the timeout runs from here).</summary>
    public long FirstProbeAt;

    /// <summary>When the next probe (first or retransmitted) is due while probes are outstanding.</summary>
    public long NextProbeAt;

    /// <summary>The peer's last R-U-THERE sequence number; <see cref="HasPeerSequence"/> once one arrived.</summary>
    public uint PeerSequence;

    /// <summary>True once the peer sent an R-U-THERE.</summary>
    public bool HasPeerSequence;

    /// <summary>Back to the initial state (the SA object is reused).</summary>
    public void Reset()
    {
        NextSequence = 0;
        FirstOutstanding = 0;
        Outstanding = false;
        FirstProbeAt = 0;
        NextProbeAt = 0;
        PeerSequence = 0;
        HasPeerSequence = false;
    }

    /// <summary>True when <paramref name="sequence"/> acknowledges one of the outstanding probes.</summary>
    public readonly bool Acknowledges(uint sequence) =>
        Outstanding && unchecked(sequence - FirstOutstanding) < unchecked(NextSequence - FirstOutstanding);
}
