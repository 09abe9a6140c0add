namespace Ike.Fast.Protocol;

/// <summary>
/// Where an exchange parked on a deferred Diffie-Hellman operation continues once the result is back
/// (<see cref="DhWait"/>): most re-run the handler of the message that needed the operation, which then finds the
/// result instead of asking again.
/// </summary>
internal enum DhResume : byte
{
    /// <summary>Re-run the Phase 1 handler of the parked message (MM2 and MM4 at the initiator, MM3's key pair, AM2).</summary>
    Phase1Message,

    /// <summary>Re-run the Aggressive Mode responder on the parked AM1.</summary>
    Aggressive1,

    /// <summary>
    /// Main Mode responder: MM4 is already out (isakmpd's order: our g^x came from a pool), derive SKEYID and the
    /// rest from g^xy now; an MM5 that arrived first waits in the parked slot.
    /// </summary>
    ResponderKeys,

    /// <summary>Send AM1 (the initiator's key pair was pending).</summary>
    StartAggressive,

    /// <summary>Re-run the Quick Mode responder on the parked QM1 (PFS key pair or g^xy).</summary>
    QuickMode1,

    /// <summary>Re-run the Quick Mode initiator on the parked QM2 (PFS g^xy).</summary>
    QuickMode2,

    /// <summary>Start the Quick Mode for <see cref="DhWait.Child"/> (its PFS key pair was pending).</summary>
    StartQuickMode,
}
