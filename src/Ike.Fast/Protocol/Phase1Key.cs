using System.Net;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

/// <summary>
/// ISAKMP SAs that replace each other on reauthentication: same connection, same peer address, same peer identity
/// (charon adopts IPsec SAs under the same condition). The identity compares by value (type and bytes), the object
/// itself is the SA's (no string per SA).
/// </summary>
internal readonly record struct Phase1Key(PeerConfig Connection, IPAddress PeerAddress, IkeIdentity? PeerIdentity);
