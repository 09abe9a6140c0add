namespace Ike.Fast.Policy;

/// <summary>A proposal string in strongSwan keyword syntax that cannot be used; names the offending keyword.</summary>
public sealed class ProposalFormatException : FormatException
{
    /// <summary>Creates the exception for one keyword of one proposal.</summary>
    public ProposalFormatException(string proposal, string keyword, string reason)
        : base($"Proposal '{proposal}': keyword '{keyword}' {reason}.")
    {
        Proposal = proposal;
        Keyword = keyword;
    }

    /// <summary>The whole proposal string.</summary>
    public string Proposal { get; }

    /// <summary>The keyword that was rejected.</summary>
    public string Keyword { get; }
}
