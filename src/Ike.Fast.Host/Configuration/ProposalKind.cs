namespace Ike.Fast.Host.Configuration;

/// <summary>Which proposal list a keyword string comes from: it decides which algorithms are allowed.</summary>
public enum ProposalKind
{
    /// <summary><c>connections.NAME.proposals</c>: Phase 1 (encryption-hash/prf-DH group).</summary>
    Ike,

    /// <summary><c>children.NAME.esp_proposals</c>: encryption-integrity[-DH group for PFS][-esn].</summary>
    Esp,

    /// <summary><c>children.NAME.ah_proposals</c>: integrity[-DH group for PFS].</summary>
    Ah,
}
