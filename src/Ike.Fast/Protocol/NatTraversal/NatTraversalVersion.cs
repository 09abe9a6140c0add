namespace Ike.Fast.Protocol.NatTraversal;

/// <summary>
/// The NAT-T dialect both peers announced (RFC 3947 §3.1 vendor IDs): the RFC uses NAT-D/NAT-OA payload types 20/21
/// and encapsulation modes 3/4; the drafts (02, 02\n, 03) use 130/131 and 61443/61444.
/// </summary>
internal enum NatTraversalVersion : byte // one byte in every IkeSa (issue #7)
{
    /// <summary>No NAT-T (the peer did not announce it or we do not).</summary>
    None = 0,

    /// <summary>draft-ietf-ipsec-nat-t-ike-02/02\n/03.</summary>
    Draft = 1,

    /// <summary>RFC 3947.</summary>
    Rfc3947 = 2,
}
