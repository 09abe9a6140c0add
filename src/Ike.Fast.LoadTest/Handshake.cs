using Ike.Fast.Policy;

namespace Ike.Fast.LoadTest;

/// <summary>
/// One Phase 1 plus its Quick Modes from one synthetic peer. Complete when Phase 1 and every requested IPsec SA are
/// up; its own <see cref="Connection"/> (a fresh <see cref="PeerConfig"/>) keeps it apart from earlier handshakes of
/// the same peer that the engine may still be tearing down.
/// </summary>
internal sealed class Handshake(SyntheticPeer peer, PeerConfig connection, long startTimestamp, long deadline)
{
    public SyntheticPeer Peer { get; } = peer;

    public PeerConfig Connection { get; } = connection;

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the start.</summary>
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>Engine time after which it counts as a timeout.</summary>
    public long Deadline { get; } = deadline;

    public bool Phase1Up { get; set; }

    public int ChildSas { get; set; }

    public ulong InitiatorCookie { get; set; }

    public ulong ResponderCookie { get; set; }

    /// <summary>Its node in the generator's list of established handshakes (oldest first), while it is there.</summary>
    public LinkedListNode<Handshake>? EstablishedNode { get; set; }

    /// <summary>Its slot in the generator's in-flight list while in flight (-1 otherwise): removal without a hash lookup.</summary>
    public int InFlightIndex { get; set; } = -1;

    /// <summary>In flight, established (held until exit or churn), or finished (failed/deleted).</summary>
    public HandshakeState State { get; set; } = HandshakeState.InFlight;
}
