namespace Ike.Fast.Host.Admission;

/// <summary>Why a new Phase 1 was dropped before the engine (counted per reason, <c>ikefast stats</c>).</summary>
public enum RefusalReason
{
    /// <summary>The global token bucket is empty (<c>daemon.admission.rate</c>/<c>burst</c>).</summary>
    Rate,

    /// <summary><c>daemon.admission.max_half_open</c> Phase 1s are already admitted and not established.</summary>
    HalfOpen,

    /// <summary>The source prefix already has <c>daemon.admission.half_open_per_prefix</c> half-open Phase 1s.</summary>
    PrefixHalfOpen,

    /// <summary>The shard is behind on its receive queue: existing peers first.</summary>
    Backlog,
}
