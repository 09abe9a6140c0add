namespace Ike.Fast.Host.Configuration;

/// <summary>swanctl's <c>children.NAME.start_action</c>: what the daemon does with the child when it loads.</summary>
public enum StartAction
{
    /// <summary>Wait for the peer to initiate (responder only).</summary>
    None,

    /// <summary>Initiate Phase 1 (if needed) and Quick Mode for this child at start-up.</summary>
    Start,
}
