using System.Net;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// swanctl's <c>connections { NAME { } }</c> for IKEv1: addresses, Phase 1 mode and proposals, the two
/// authentication rounds, ISAKMP SA lifetimes and the children (Quick Mode policies).
/// </summary>
/// <param name="LocalAddrs">Empty = any local address.</param>
/// <param name="RemoteAddrs">Empty = any peer (responder only); entries may be subnets.</param>
/// <param name="Proposals">Phase 1 proposals in strongSwan keyword syntax (<c>aes128-sha256-modp2048</c>); empty =
/// the engine's defaults.</param>
/// <param name="RekeyTime">IKEv1 has no ISAKMP SA rekeying: this is when the SA is re-authenticated (a new Main
/// Mode), as in strongSwan.</param>
public sealed record ConnectionDefinition(
    string Name,
    int Version,
    IReadOnlyList<IPNetwork> LocalAddrs,
    IReadOnlyList<IPNetwork> RemoteAddrs,
    int LocalPort,
    int RemotePort,
    bool Aggressive,
    IReadOnlyList<string> Proposals,
    AuthDefinition Local,
    AuthDefinition Remote,
    TimeSpan RekeyTime,
    TimeSpan ReauthTime,
    TimeSpan OverTime,
    IReadOnlyList<ChildDefinition> Children)
{
    /// <summary>The single peer address to initiate to, when <see cref="RemoteAddrs"/> names exactly one host.</summary>
    public IPAddress? InitiatorTarget =>
        RemoteAddrs.Count > 0 && RemoteAddrs[0].PrefixLength == (RemoteAddrs[0].BaseAddress.AddressFamily ==
            System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32)
            ? RemoteAddrs[0].BaseAddress
            : null;
}
