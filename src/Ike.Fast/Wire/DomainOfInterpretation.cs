namespace Ike.Fast.Wire;

/// <summary>Domain of Interpretation (RFC 2408 §3.4, RFC 2407 §4.2).</summary>
public enum DomainOfInterpretation : uint
{
    /// <summary>Generic ISAKMP SA (RFC 2408 §2.1); also used in Phase 1 notifications.</summary>
    Isakmp = 0,

    /// <summary>The Internet IP Security DOI (RFC 2407).</summary>
    IpsecDoi = 1,
}
