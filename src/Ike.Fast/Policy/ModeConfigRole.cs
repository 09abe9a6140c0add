namespace Ike.Fast.Policy;

/// <summary>Mode-Config (draft-dukes-ike-mode-cfg) role of a connection.</summary>
public enum ModeConfigRole
{
    /// <summary>No Mode-Config.</summary>
    None = 0,

    /// <summary>We get a virtual address, DNS servers, split networks and a banner (road warrior).</summary>
    Client = 1,

    /// <summary>We hand them out from <see cref="PeerConfig.ModeConfig"/> settings (gateway).</summary>
    Server = 2,
}
