namespace Ike.Fast.Policy;

/// <summary>The IKEv1 Phase 1 exchange a connection uses (swanctl.conf <c>aggressive = no|yes</c>; RFC 2409 §5).</summary>
public enum ExchangeMode
{
    /// <summary>Main Mode (Identity Protection exchange, RFC 2409 §5, six messages).</summary>
    Main = 0,

    /// <summary>Aggressive Mode (RFC 2409 §5, three messages, identities in the clear).</summary>
    Aggressive = 1,
}
