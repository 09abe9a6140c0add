using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// Something the host must act upon or log, returned by <see cref="Endpoint.PollEvent"/>. A struct: queuing and
/// polling events allocates nothing; <see cref="Message"/> of a Phase1Up event is formatted only when read.
/// </summary>
public readonly struct EngineEvent
{
    private readonly string? _message;

    /// <summary>What happened.</summary>
    public EngineEventKind Kind { get; init; }

    /// <summary>Engine time (milliseconds) when it happened.</summary>
    public long Time { get; init; }

    /// <summary>Connection name, when known.</summary>
    public string? Connection { get; init; }

    /// <summary>Initiator cookie of the Phase 1 SA concerned (0 if none).</summary>
    public ulong InitiatorCookie { get; init; }

    /// <summary>Responder cookie of the Phase 1 SA concerned (0 if none).</summary>
    public ulong ResponderCookie { get; init; }

    /// <summary>The peer's endpoint, when known.</summary>
    public IPEndPoint? Peer { get; init; }

    /// <summary>True when we initiated the Phase 1 SA.</summary>
    public bool IsInitiator { get; init; }

    /// <summary>The peer's Phase 1 identity (Phase1Up).</summary>
    public IkeIdentity? RemoteIdentity { get; init; }

    /// <summary>InstallChildSa: the SA pair; DeleteChildSa: the SAs (SPIs, protocol) to remove, keys empty.</summary>
    public ChildSaInfo? ChildSa { get; init; }

    /// <summary>Diagnostic reason (also set on Phase1Down).</summary>
    public DiagnosticCode Diagnostic { get; init; }

    /// <summary>The notify type sent or received, if any.</summary>
    public NotifyMessageType Notify { get; init; }

    /// <summary>Free text for logs (formatted on first read for Phase1Up: the steady-state path builds no strings).</summary>
    public string? Message
    {
        get => _message ?? (Kind == EngineEventKind.Phase1Up && Proposal is not null
            ? $"{Phase1Mode} Mode {Proposal} lifetime {LifetimeSeconds}s, peer vendors {PeerVendors}"
            : null);
        init => _message = value;
    }

    /// <summary>Phase1Up: Main or Aggressive Mode (for <see cref="Message"/>).</summary>
    internal ExchangeMode Phase1Mode { get; init; }

    /// <summary>Phase1Up: the negotiated transform (for <see cref="Message"/>).</summary>
    internal IkeProposal? Proposal { get; init; }

    /// <summary>Phase1Up: the negotiated ISAKMP SA lifetime in seconds (0 = none), so a host needs no status snapshot for it.</summary>
    public long LifetimeSeconds { get; init; }

    /// <summary>Phase1Up: the vendor IDs the peer sent (for <see cref="Message"/>).</summary>
    internal KnownVendor PeerVendors { get; init; }

    /// <summary>Mode-Config result (<see cref="EngineEventKind.ConfigurationReceived"/>).</summary>
    public Transaction.ModeConfigAttributes? Configuration { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Kind} {Connection} {InitiatorCookie:x16}/{ResponderCookie:x16} {Diagnostic} {(Notify != 0 ? Notify : "")} {Message}".TrimEnd();
}
