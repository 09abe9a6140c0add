namespace Ike.Fast.Host.Configuration;

/// <summary>
/// Checks one proposal string in strongSwan keyword syntax at load time. The engine owns the keyword tables; the host
/// only asks, so a keyword the engine cannot negotiate is a configuration error, not a failed negotiation.
/// </summary>
public interface IProposalValidator
{
    /// <summary>Returns null when <paramref name="proposal"/> is valid, else the problem (e.g. "unknown algorithm keyword 'aes129'").</summary>
    string? Validate(string proposal, ProposalKind kind);
}
