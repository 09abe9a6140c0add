using System.Globalization;
using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Control;

/// <summary>
/// The daemon's SA table for status queries. The loop thread writes it from engine events; control-socket threads
/// read snapshots. A lock is enough: writes happen once per SA negotiation, not per packet.
/// <para>
/// Rows are keyed by value (the cookie pair, the inbound SPI: O(1) add and remove, no closure, no string) and keep
/// references to what the engine already holds (the connection name, the peer's endpoint and identity, the
/// <see cref="ChildSaInfo"/> itself) instead of formatted copies: the strings of <see cref="IkeSaStatus"/> /
/// <see cref="ChildSaStatus"/> are built only when <c>status</c> / <c>list-sas</c> asks (<see cref="Snapshot"/>).
/// </para>
/// </summary>
public sealed class SaRegistry(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(ulong Initiator, ulong Responder), IkeRow> _ike = [];

    /// <summary>
    /// Installed pairs: the engine's <see cref="ChildSaInfo"/> itself (keys cleared; its install time in
    /// <see cref="ChildSaInfo.InstalledUnixSeconds"/>), in a set keyed through the pair: 16 bytes per entry instead of
    /// a 32-byte (SPI, row) entry (issue #7).
    /// </summary>
    private readonly ChildSaBySpi _child = new();

    /// <summary>Ready-made rows (<see cref="AddChild(ChildSaStatus)"/>: control path and tests), by inbound SPI.</summary>
    private readonly Dictionary<uint, ChildSaStatus> _readyChild = [];

    /// <summary>Rows of removed ISAKMP SAs for reuse (bounded), so a steady stream of SAs allocates no row.</summary>
    private readonly Stack<IkeRow> _freeIke = new();

    private const int MaxFreeRows = 4096;

    /// <summary>
    /// What many ISAKMP SAs' rows have in common (connection, local endpoint, Phase1Up text, role), one object per
    /// distinct combination instead of four fields in every row (80 -> 64 B per SA, issue #7); cleared past
    /// <see cref="MaxShapes"/> (rows keep theirs).
    /// </summary>
    private readonly Dictionary<(string Connection, IPEndPoint? Local, string? Algorithms, bool Initiator), IkeRowShape> _shapes = [];

    private const int MaxShapes = 1024;

    /// <summary>Adds (or replaces) an established ISAKMP SA's row from the loop thread; nothing is formatted here.</summary>
    internal void AddIke(string connection, ulong initiatorCookie, ulong responderCookie, IPEndPoint? local, IPEndPoint? remote,
        IkeIdentity? remoteId, bool initiator, string? algorithms, long establishedUnixSeconds)
    {
        lock (_lock)
        {
            var row = _freeIke.TryPop(out var free) ? free : new IkeRow();
            row.Shape = ShapeOf(connection, local, algorithms, initiator);
            row.Remote = remote;
            row.RemoteId = remoteId;
            row.EstablishedUnixSeconds = establishedUnixSeconds;
            row.ClearExtra();
            TableGrowth.BeforeAdd(_ike);
            _ike[(initiatorCookie, responderCookie)] = row;
        }
    }

    /// <summary>The shape <see cref="ShapeOf"/> returned last: a stream of SAs of one connection reuses it by reference.</summary>
    private IkeRowShape? _lastShape;

    private IkeRowShape ShapeOf(string connection, IPEndPoint? local, string? algorithms, bool initiator)
    {
        // The same connection name, listening endpoint and (cached) Phase1Up text objects as the last SA: no lookup,
        // which hashed two strings and an endpoint per handshake (issue #8).
        if (_lastShape is { } last && ReferenceEquals(last.Connection, connection) && ReferenceEquals(last.Local, local) &&
            ReferenceEquals(last.Algorithms, algorithms) && last.Initiator == initiator)
        {
            return last;
        }

        _lastShape = ShapeLookup(connection, local, algorithms, initiator);
        return _lastShape;
    }

    private IkeRowShape ShapeLookup(string connection, IPEndPoint? local, string? algorithms, bool initiator)
    {
        var key = (connection, local, algorithms, initiator);
        if (!_shapes.TryGetValue(key, out var shape))
        {
            if (_shapes.Count >= MaxShapes)
            {
                _shapes.Clear();
            }

            shape = new IkeRowShape(connection, local, algorithms, initiator);
            _shapes[key] = shape;
        }

        return shape;
    }

    /// <summary>The road-warrior fields of an ISAKMP SA's row, learnt after Phase1Up (no-op for an SA not listed).</summary>
    internal void UpdateIke(ulong initiatorCookie, ulong responderCookie, IPEndPoint remote, string? nat, bool udpEncapsulation,
        IReadOnlyList<IPAddress>? virtualIps, string? xauthUser)
    {
        lock (_lock)
        {
            if (_ike.TryGetValue((initiatorCookie, responderCookie), out var row))
            {
                row.Remote = remote;
                row.UdpEncapsulation = udpEncapsulation;
                // The engine's NAT states are a few constant strings: a byte in the row; any other in the extra fields.
                int state = Array.IndexOf(NatStates, nat);
                row.NatState = (byte)Math.Max(state, 0);
                string? otherNat = state < 0 ? nat : null;
                virtualIps = virtualIps is { Count: > 0 } ? virtualIps : null;
                if (row.Extra is RoadWarriorFields rw)
                {
                    rw.Set(otherNat, virtualIps, xauthUser);
                }
                else if (otherNat is not null || virtualIps is not null || xauthUser is not null)
                {
                    // Made only for an SA with a Mode-Config address or an XAUTH user, then kept with the row for reuse.
                    var fields = new RoadWarriorFields();
                    fields.Set(otherNat, virtualIps, xauthUser);
                    row.Extra = fields;
                }
                else
                {
                    row.Extra = null;
                }
            }
        }
    }

    internal void RemoveIke(ulong initiatorCookie, ulong responderCookie)
    {
        lock (_lock)
        {
            if (_ike.Remove((initiatorCookie, responderCookie), out var row) && _freeIke.Count < MaxFreeRows)
            {
                // Snapshot copied what it needed under the lock, so nothing outside still reads the row.
                row.ClearExtra();
                row.Shape = IkeRowShape.None;
                row.Remote = null;
                row.RemoteId = null;
                _freeIke.Push(row);
            }
        }
    }

    /// <summary>Lists an installed IPsec SA pair by its inbound SPI: the table keeps <paramref name="sa"/> (the engine's object).</summary>
    internal void AddChild(ChildSaInfo sa, long installedUnixSeconds)
    {
        lock (_lock)
        {
            sa.InstalledUnixSeconds = installedUnixSeconds;
            if (_readyChild.Count > 0) // control path and tests only: no probe per handshake otherwise
            {
                _readyChild.Remove(sa.InboundSpi);
            }

            _child.Set(sa);
        }
    }

    internal void RemoveChild(uint inboundSpi)
    {
        lock (_lock)
        {
            if (!_child.Remove(inboundSpi))
            {
                _readyChild.Remove(inboundSpi);
            }
        }
    }

    /// <summary>Adds a ready-made row (control path and tests; cookies as 16 hex digits).</summary>
    public void AddIke(IkeSaStatus sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        lock (_lock)
        {
            _ike[(Hex64(sa.InitiatorCookie), Hex64(sa.ResponderCookie))] = new IkeRow { Shape = ShapeOf(sa.Connection, null, null, false), Extra = sa };
        }
    }

    /// <summary>Replaces an ISAKMP SA's row with <paramref name="update"/>'s result (road-warrior fields learnt later).</summary>
    public void UpdateIke(string initiatorCookie, string responderCookie, Func<IkeSaStatus, IkeSaStatus> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            if (_ike.TryGetValue((Hex64(initiatorCookie), Hex64(responderCookie)), out var row))
            {
                var key = (Hex64(initiatorCookie), Hex64(responderCookie));
                var status = update(row.ToStatus(key, 0));
                _ike[key] = new IkeRow { Shape = ShapeOf(status.Connection, null, null, false), Extra = status };
            }
        }
    }

    public void RemoveIke(string initiatorCookie, string responderCookie) => RemoveIke(Hex64(initiatorCookie), Hex64(responderCookie));

    /// <summary>Adds a ready-made row (control path and tests; SPI as hex).</summary>
    public void AddChild(ChildSaStatus sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        lock (_lock)
        {
            _child.Remove(Hex32(sa.SpiIn));
            _readyChild[Hex32(sa.SpiIn)] = sa;
        }
    }

    public void RemoveChild(string spiIn) => RemoveChild(Hex32(spiIn));

    public int IkeCount
    {
        get
        {
            lock (_lock)
            {
                return _ike.Count;
            }
        }
    }

    public int ChildCount
    {
        get
        {
            lock (_lock)
            {
                return _child.Count + _readyChild.Count;
            }
        }
    }

    /// <summary>A copy with ages computed now (formats every row: control path only).</summary>
    public (IReadOnlyList<IkeSaStatus> Ike, IReadOnlyList<ChildSaStatus> Child) Snapshot()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            return (
                _ike.Select(p => p.Value.ToStatus(p.Key, now)).ToList(),
                [.. _child.Values.Select(sa => ChildStatus(sa, now)), .. _readyChild.Values.Select(f => f with { AgeSeconds = now - f.InstalledUnixSeconds })]);
        }
    }

    private static ulong Hex64(string hex) => ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static uint Hex32(string hex) => uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>The NAT states <see cref="Ike.Fast.Protocol.Endpoint.TryGetPeerState"/> reports, by their byte in a row (0: none negotiated).</summary>
    private static readonly string?[] NatStates = [null, "none", "forced", "local", "remote", "both"];

    /// <summary>The fields many rows share (see <see cref="_shapes"/>).</summary>
    private sealed record IkeRowShape(string Connection, IPEndPoint? Local, string? Algorithms, bool Initiator)
    {
        public static readonly IkeRowShape None = new("", null, null, false);
    }

    /// <summary>
    /// One ISAKMP SA: references and flags. The rarer parts share one reference (<see cref="Extra"/>): a ready-made
    /// <see cref="IkeSaStatus"/> (control path, tests) or the <see cref="RoadWarriorFields"/> of an SA with XAUTH or
    /// Mode-Config, and what many SAs have in common another (<see cref="Shape"/>); a plain SA's row is 64 bytes
    /// (104 before the first, 80 before the second: issue #7).
    /// </summary>
    private sealed class IkeRow
    {
        public IkeRowShape Shape = IkeRowShape.None;
        public IPEndPoint? Remote;
        public IkeIdentity? RemoteId;
        public long EstablishedUnixSeconds;

        /// <summary>Index in <see cref="NatStates"/>.</summary>
        public byte NatState;
        public bool UdpEncapsulation;

        /// <summary>Null, an <see cref="IkeSaStatus"/> (the whole row given ready-made) or <see cref="RoadWarriorFields"/>.</summary>
        public object? Extra;

        /// <summary>Forgets the ready-made row or the road-warrior values (a fields object stays, emptied, for reuse).</summary>
        public void ClearExtra()
        {
            NatState = 0;
            UdpEncapsulation = false;
            if (Extra is RoadWarriorFields rw)
            {
                rw.Set(null, null, null);
            }
            else
            {
                Extra = null;
            }
        }

        public IkeSaStatus ToStatus((ulong Initiator, ulong Responder) cookies, long now)
        {
            if (Extra is IkeSaStatus f)
            {
                return f with { AgeSeconds = now - f.EstablishedUnixSeconds };
            }

            var rw = Extra as RoadWarriorFields;
            return new IkeSaStatus(Shape.Connection, cookies.Initiator.ToString("x16", CultureInfo.InvariantCulture),
                cookies.Responder.ToString("x16", CultureInfo.InvariantCulture), Shape.Local?.ToString() ?? "", Remote?.ToString() ?? "",
                RemoteId?.ToString(), Shape.Initiator, "established", Shape.Algorithms, EstablishedUnixSeconds, now - EstablishedUnixSeconds,
                rw?.Nat ?? NatStates[NatState], UdpEncapsulation, rw?.VirtualIps is { } vips ? [.. vips.Select(a => a.ToString())] : null, rw?.XauthUser);
        }
    }

    /// <summary>The rarer road-warrior fields of a row (Mode-Config addresses, XAUTH user, an unknown NAT state), learnt after Phase1Up.</summary>
    private sealed class RoadWarriorFields
    {
        public string? Nat;
        public IReadOnlyList<IPAddress>? VirtualIps;
        public string? XauthUser;

        public void Set(string? nat, IReadOnlyList<IPAddress>? virtualIps, string? xauthUser)
        {
            Nat = nat;
            VirtualIps = virtualIps;
            XauthUser = xauthUser;
        }
    }

    /// <summary>The status row of an installed pair, formatted now (control path only).</summary>
    private static ChildSaStatus ChildStatus(ChildSaInfo sa, long now) => new(
        sa.Connection, sa.Child, sa.Protocol.ToString().ToLowerInvariant(), sa.Mode.ToString().ToLowerInvariant(),
        sa.LocalAddress.ToString(), sa.RemoteAddress.ToString(), sa.InboundSpi.ToString("x8", CultureInfo.InvariantCulture),
        sa.OutboundSpi.ToString("x8", CultureInfo.InvariantCulture),
        sa.Protocol == IpsecProtocol.Esp ? $"{sa.Encryption}-{sa.EncryptionKeyBits}" : "none",
        sa.Integrity?.ToString(), sa.PfsGroup?.ToString(), sa.LocalTs.ToString(), sa.RemoteTs.ToString(),
        sa.LifetimeSeconds, sa.InstalledUnixSeconds, now - sa.InstalledUnixSeconds,
        sa.UdpEncapsulated ? $"udp {sa.EncapsulationSourcePort} <=> {sa.EncapsulationDestinationPort}" : null);
}
