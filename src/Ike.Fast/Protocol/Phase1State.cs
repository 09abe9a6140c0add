namespace Ike.Fast.Protocol;

/// <summary>Per-step states of a Phase 1 SA, initiator and responder paths (named after the last message sent).</summary>
internal enum Phase1State : byte // one byte in every IkeSa (issue #7)
{
    /// <summary>Initiator: MM1 sent, waiting for MM2.</summary>
    MainInitiatorSentSa,

    /// <summary>Initiator: MM3 sent, waiting for MM4.</summary>
    MainInitiatorSentKe,

    /// <summary>Initiator: MM5 sent, waiting for MM6.</summary>
    MainInitiatorSentAuth,

    /// <summary>Responder: MM2 sent, waiting for MM3.</summary>
    MainResponderSentSa,

    /// <summary>Responder: MM4 sent, waiting for MM5.</summary>
    MainResponderSentKe,

    /// <summary>Initiator: AM1 sent, waiting for AM2.</summary>
    AggressiveInitiatorSentSa,

    /// <summary>Responder: AM2 sent, waiting for AM3.</summary>
    AggressiveResponderSentSa,

    /// <summary>Authenticated both ways: Quick Mode and Informational exchanges may run.</summary>
    Established,

    /// <summary>Deleted or failed; kept briefly only to answer nothing.</summary>
    Dead,
}
