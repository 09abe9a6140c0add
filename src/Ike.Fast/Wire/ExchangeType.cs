namespace Ike.Fast.Wire;

/// <summary>ISAKMP exchange types (RFC 2408 §3.1, RFC 2409 §5 and Appendix A, mode-config draft).</summary>
public enum ExchangeType : byte
{
    None = 0,
    Base = 1,

    /// <summary>Identity Protection = IKE Main Mode.</summary>
    IdentityProtection = 2,
    AuthenticationOnly = 3,

    /// <summary>Aggressive Mode.</summary>
    Aggressive = 4,
    Informational = 5,

    /// <summary>Transaction exchange (mode-config / XAUTH).</summary>
    Transaction = 6,
    QuickMode = 32,
    NewGroupMode = 33,
}
