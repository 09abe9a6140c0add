namespace Ike.Fast.LoadTest;

/// <summary>Where a <see cref="Handshake"/> is.</summary>
internal enum HandshakeState
{
    /// <summary>Phase 1 or a Quick Mode still running.</summary>
    InFlight,

    /// <summary>Complete; the SAs are held until churn or exit deletes them.</summary>
    Established,

    /// <summary>Failed or deleted.</summary>
    Finished,
}
