namespace Ike.Fast.Protocol;

/// <summary>What an <see cref="EngineEvent"/> reports.</summary>
public enum EngineEventKind
{
    /// <summary>A Phase 1 (ISAKMP) SA is established.</summary>
    Phase1Up = 1,

    /// <summary>A Phase 1 SA is gone (deleted by either side, expired, or failed before establishment).</summary>
    Phase1Down = 2,

    /// <summary>Install the IPsec SA pair in <see cref="EngineEvent.ChildSa"/>.</summary>
    InstallChildSa = 3,

    /// <summary>Delete the IPsec SAs with the SPIs in <see cref="EngineEvent.ChildSa"/>.</summary>
    DeleteChildSa = 4,

    /// <summary>Something worth logging/counting happened (<see cref="EngineEvent.Diagnostic"/>).</summary>
    Diagnostic = 5,

    /// <summary>
    /// An authenticated message came from a new address/port (NAT mapping changed, RFC 3947 §4): the SA now uses
    /// <see cref="EngineEvent.Peer"/>; UDP-encapsulated IPsec SAs must follow (XFRMA_ENCAP destination port).
    /// </summary>
    PeerEndpointChanged = 6,

    /// <summary>Mode-Config gave us a virtual address, DNS servers, split networks, banner (<see cref="EngineEvent.Configuration"/>).</summary>
    ConfigurationReceived = 7,
}
