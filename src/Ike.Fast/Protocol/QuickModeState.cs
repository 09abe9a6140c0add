namespace Ike.Fast.Protocol;

/// <summary>Per-step states of a Quick Mode exchange.</summary>
internal enum QuickModeState
{
    /// <summary>Initiator: QM1 sent, waiting for QM2.</summary>
    InitiatorSentSa,

    /// <summary>Responder: QM2 sent, waiting for QM3.</summary>
    ResponderSentSa,

    /// <summary>Done (QM3 sent or received); kept to answer a retransmitted QM2/QM3.</summary>
    Done,
}
