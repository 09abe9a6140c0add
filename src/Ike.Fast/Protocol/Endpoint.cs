using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// The sans-IO IKEv1 engine: one instance per listening socket set. The host feeds it received datagrams
/// (<see cref="Handle"/>) and the passing of time (<see cref="HandleTimeout"/>), and drains what it produced:
/// datagrams to send (<see cref="PollTransmit"/>), the next deadline (<see cref="PollTimeout"/>) and events
/// (<see cref="PollEvent"/>: Phase 1 up/down, IPsec SAs to install/delete, diagnostics). There are no sockets,
/// clocks, threads or kernel calls inside; randomness, SPIs and Diffie-Hellman come through injected interfaces.
/// <para>
/// Time is a <c>long</c> count of monotonic milliseconds chosen by the host (e.g. <c>Environment.TickCount64</c>,
/// tests use a virtual clock starting at 0); only differences matter. Not thread-safe: drive one instance from
/// one thread (shard by cookie for more).
/// </para>
/// </summary>
public sealed partial class Endpoint
{
    /// <summary>Creates an engine.</summary>
    /// <param name="connections">The configured connections (looked up by name for <see cref="Initiate(string, string?, long)"/>
    /// and by peer address / proposals for responders).</param>
    /// <param name="secrets">Pre-shared keys.</param>
    /// <param name="dh">Diffie-Hellman engine (<see cref="ScalarDhEngine"/> in production).</param>
    /// <param name="random">Cookies, nonces, message IDs.</param>
    /// <param name="spis">Inbound SPI allocation (the kernel's).</param>
    /// <param name="options">Limits and timers; null = defaults.</param>
    public Endpoint(IEnumerable<PeerConfig> connections, ISecretStore secrets, IDhEngine dh, IEngineRandom random,
        ISpiAllocator spis, EndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(dh);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(spis);
        _connections = [.. connections];
        foreach (PeerConfig c in _connections)
        {
            if (c.Version != 1)
            {
                throw new ArgumentException($"Connection '{c.Name}': only IKE version 1 is implemented.", nameof(connections));
            }
        }

        _secrets = secrets;
        _dh = dh;
        _random = random;
        _spis = spis;
        Options = options ?? EndpointOptions.Default;
    }

    /// <summary>The options in force.</summary>
    public EndpointOptions Options { get; }

    /// <summary>Counters.</summary>
    public EndpointCounters Counters { get; } = new();

    /// <summary>The configured connections.</summary>
    public IReadOnlyList<PeerConfig> Connections => _connections;

    /// <summary>Number of Phase 1 SAs (established and in negotiation).</summary>
    public int Phase1SaCount => _saByCookies.Count + _halfOpenInitiator.Count;

    /// <summary>ISAKMP SAs still holding their Phase 1 negotiation state (tests: released at establishment; O(SAs)).</summary>
    internal int Phase1NegotiationsHeld
    {
        get
        {
            int held = 0;
            foreach (IkeSa sa in AllSas())
            {
                held += sa.HasNegotiation ? 1 : 0;
            }

            return held;
        }
    }

    /// <summary>A snapshot of every Phase 1 SA (allocates; for status displays, not the packet path).</summary>
    public IReadOnlyList<IkeSaStatus> GetSaStatus()
    {
        var list = new List<IkeSaStatus>();
        foreach (IkeSa sa in AllSas())
        {
            list.Add(StatusOf(sa));
        }

        return list;
    }

    /// <summary>A snapshot of one Phase 1 SA by its cookies (allocates; off the packet path), or null.</summary>
    public IkeSaStatus? GetSaStatus(ulong initiatorCookie, ulong responderCookie) =>
        _saByCookies.TryGetValue((initiatorCookie, responderCookie), out IkeSa? sa) ? StatusOf(sa) : null;

    /// <summary>
    /// Whether a message with these cookies belongs to an SA of this endpoint (established, half-open, or our MM1/AM1
    /// awaiting its first reply), as <c>FindSa</c> would find it: a sharded host asks before handing a datagram to this
    /// endpoint, and passes a datagram of a peer that moved to the shard owning its SA. No allocation.
    /// </summary>
    public bool HasSa(ulong initiatorCookie, ulong responderCookie) =>
        _saByCookies.ContainsKey((initiatorCookie, responderCookie)) ||
        (_halfOpenInitiator.TryGetValue(initiatorCookie, out IkeSa? sa) && sa.ResponderCookie == 0);

    /// <summary>
    /// The local end of an ISAKMP SA as it is now (the 4500 endpoint once it floated, RFC 3947 section 4; the address the
    /// peer sent to on a wildcard socket), or null when no such SA. No allocation.
    /// </summary>
    public IPEndPoint? LocalEndPointOf(ulong initiatorCookie, ulong responderCookie) =>
        _saByCookies.TryGetValue((initiatorCookie, responderCookie), out IkeSa? sa) ? sa.Local : null;

    private static IkeSaStatus StatusOf(IkeSa sa)
    {
        int inProgress = 0;
        foreach (QuickModeExchange qm in sa.Exchanges.Values)
        {
            inProgress += qm.State == QuickModeState.Done ? 0 : 1;
        }

        string? nat = sa.NatVersion == NatTraversal.NatTraversalVersion.None ? null
            : sa.NatLocalBehind && sa.NatRemoteBehind ? "both"
            : sa.NatLocalBehind ? "local"
            : sa.NatRemoteBehind ? "remote"
            : sa.Peer.ForceEncapsulation ? "forced" : "none";
        List<IPAddress> vips = LeasedAddresses(sa);
        if (sa.AssignedConfiguration is { } received && sa.Peer.ModeConfig?.Role == ModeConfigRole.Client)
        {
            vips.AddRange(received.Addresses);
        }

        return new IkeSaStatus(sa.Peer.Name, sa.InitiatorCookie, sa.ResponderCookie, sa.IsInitiator, sa.Mode, sa.State.ToString(),
            sa.Local, sa.Remote, sa.RemoteIdentity, sa.Chosen?.ToString(), sa.LifetimeSeconds, sa.CreatedAt, sa.EstablishedAt,
            sa.Children.ToArray(), inProgress, nat, sa.UdpEncapsulated, vips, sa.XauthUser);
    }

    /// <summary>Starts Phase 1 (if none is up with the peer) and then Quick Mode for the named connection/child.</summary>
    /// <returns>False when the connection or child does not exist or has no remote address.</returns>
    public bool Initiate(string connection, string? child, long now)
    {
        PeerConfig? peer = null;
        foreach (PeerConfig c in _connections)
        {
            if (c.Name == connection)
            {
                peer = c;
                break;
            }
        }

        if (peer is null)
        {
            return false;
        }

        ChildConfig? childConfig = null;
        if (child is not null)
        {
            childConfig = peer.FindChild(child);
            if (childConfig is null)
            {
                return false;
            }
        }

        return Initiate(peer, childConfig, now);
    }

    /// <summary>Same as <see cref="Initiate(string, string?, long)"/> with configuration objects.</summary>
    public bool Initiate(PeerConfig connection, ChildConfig? child, long now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.RemoteAddress is not null && StartInitiator(connection, child, now);
    }

    /// <summary>
    /// Processes one received datagram (an ISAKMP message; the host strips the non-ESP marker on port 4500).
    /// Never throws on packet content.
    /// </summary>
    public void Handle(long now, IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> datagram)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        RecycleRetired();
        Counters.Received++;
        _rxLocal = local;
        _rxRemote = remote;
        HandleDatagram(now, local, remote, datagram);
        FlushSchedule(); // keeps the reschedule list bounded even if the host polls timeouts rarely
    }

    /// <summary>Advances timers: retransmissions, give-ups, expiry of half-open SAs and reply caches.</summary>
    public void HandleTimeout(long now)
    {
        RecycleRetired();
        RunTimers(now);
    }

    /// <summary>The earliest time <see cref="HandleTimeout"/> should be called, or null when nothing is pending.</summary>
    public long? PollTimeout() => NextDeadline();

    /// <summary>
    /// Copies the next pending datagram into <paramref name="buffer"/> (at least 64 KiB is always enough).
    /// False when nothing is pending (or the buffer is too small: the datagram stays queued).
    /// </summary>
    public bool PollTransmit(Span<byte> buffer, out Transmit transmit) => DequeueTransmit(buffer, out transmit);

    /// <summary>The next pending event, or false.</summary>
    public bool PollEvent(out EngineEvent engineEvent)
    {
        return _events.TryDequeue(out engineEvent);
    }

    /// <summary>Deletes a Phase 1 SA and its IPsec SAs, telling the peer (protected Delete, RFC 2408 §3.15).</summary>
    public bool DeletePhase1(ulong initiatorCookie, ulong responderCookie, long now) =>
        DeleteIkeSa(initiatorCookie, responderCookie, now, notifyPeer: true);

    /// <summary>Deletes an IPsec SA pair by our inbound SPI, telling the peer.</summary>
    public bool DeleteChildSa(uint inboundSpi, long now) => DeleteChild(inboundSpi, now);
}
