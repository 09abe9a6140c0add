using System.Net;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>A snapshot of one Phase 1 SA for status displays (<c>ikefast status</c>).</summary>
/// <param name="Connection">Connection name.</param>
/// <param name="InitiatorCookie">CKY-I.</param>
/// <param name="ResponderCookie">CKY-R (0 before the responder answered).</param>
/// <param name="IsInitiator">True when we initiated.</param>
/// <param name="Mode">Main or Aggressive.</param>
/// <param name="State">The per-step state name (e.g. "Established", "MainResponderSentKe").</param>
/// <param name="Local">Our endpoint.</param>
/// <param name="Remote">The peer's endpoint.</param>
/// <param name="RemoteIdentity">The authenticated peer identity, or null before authentication.</param>
/// <param name="Proposal">The negotiated transform in keyword form, or null before MM2/AM2.</param>
/// <param name="LifetimeSeconds">Negotiated ISAKMP SA lifetime.</param>
/// <param name="CreatedAt">Engine time of creation.</param>
/// <param name="EstablishedAt">Engine time of establishment (0 if not established).</param>
/// <param name="Children">Installed IPsec SA pairs (key arrays shared with the install events).</param>
/// <param name="QuickModesInProgress">Quick Mode exchanges not yet complete.</param>
/// <param name="Nat">NAT state from NAT-D (RFC 3947 section 3): "none", "local" (we are behind a NAT), "remote", "both",
/// "forced" (encapsulation forced without a NAT), or null when NAT traversal was not negotiated.</param>
/// <param name="UdpEncapsulated">True when IKE moved to 4500 and the IPsec SAs are UDP-encapsulated (RFC 3948).</param>
/// <param name="VirtualIps">Mode-Config addresses: leased to the peer (server) or received (client).</param>
/// <param name="XauthUser">The XAUTH user the peer authenticated as (server side), or null.</param>
public sealed record IkeSaStatus(string Connection, ulong InitiatorCookie, ulong ResponderCookie, bool IsInitiator, ExchangeMode Mode,
    string State, IPEndPoint Local, IPEndPoint Remote, IkeIdentity? RemoteIdentity, string? Proposal, long LifetimeSeconds,
    long CreatedAt, long EstablishedAt, IReadOnlyList<ChildSaInfo> Children, int QuickModesInProgress,
    string? Nat = null, bool UdpEncapsulated = false, IReadOnlyList<IPAddress>? VirtualIps = null, string? XauthUser = null);
