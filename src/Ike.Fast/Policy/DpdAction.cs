namespace Ike.Fast.Policy;

/// <summary>What to do when DPD declares the peer dead (swanctl.conf <c>dpd_action</c>).</summary>
public enum DpdAction
{
    /// <summary>Only report it (the SA is still removed: it is dead).</summary>
    None = 0,

    /// <summary>Delete the SAs (events DeleteChildSa + Phase1Down).</summary>
    Clear = 1,

    /// <summary>Delete the SAs; the host keeps trap policies so traffic re-initiates on demand.</summary>
    Hold = 2,

    /// <summary>Delete the SAs and initiate the connection again with the children it had.</summary>
    Restart = 3,
}
