namespace Ike.Fast.Policy;

/// <summary>
/// Extended authentication after Phase 1 (draft-beaulieu-ike-xauth; swanctl.conf IKEv1 <c>auth = xauth</c> in a
/// second round): the Phase 1 proposal carries XAUTHInitPreShared (65001) and the server asks for a user name and
/// password in a Transaction exchange.
/// </summary>
public enum XauthRole
{
    /// <summary>No XAUTH.</summary>
    None = 0,

    /// <summary>We answer the server's REQUEST with <see cref="PeerConfig.XauthUserName"/> / password (the road warrior).</summary>
    Client = 1,

    /// <summary>We ask and check the answer with the <see cref="Protocol.Transaction.IXauthBackend"/> (the gateway).</summary>
    Server = 2,
}
