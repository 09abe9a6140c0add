using System.Net;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// ISAKMP SAs that replace each other on reauthentication: same connection, same peer address, same peer identity
/// (charon adopts IPsec SAs under the same condition).
/// </summary>
internal readonly record struct Phase1Key(PeerConfig Connection, IPAddress PeerAddress, string? PeerIdentity);
