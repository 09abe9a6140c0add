namespace Ike.Fast.Host.Admission;

/// <summary>What the ISAKMP header alone says about a datagram (<see cref="IsakmpClassifier"/>).</summary>
public enum DatagramKind
{
    /// <summary>Too short for an ISAKMP header: the engine drops it cheaply anyway.</summary>
    Malformed,

    /// <summary>The first message of a Main or Aggressive Mode: state and a DH computation for an unproven peer.</summary>
    NewPhase1,

    /// <summary>Everything else: later Phase 1 messages, Quick Modes (rekeys), DPD, Informationals of known SAs.</summary>
    Existing,
}
