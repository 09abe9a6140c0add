using System.Net;

namespace Ike.Fast.Policy;

/// <summary>
/// Where the engine gets pre-shared keys (swanctl.conf <c>secrets.ike</c>), kept apart from the connection
/// configuration so secrets can live in their own store and file.
/// </summary>
public interface ISecretStore
{
    /// <summary>
    /// The PSK shared with a peer, looked up by identity (either side's) or, when identities are not yet known
    /// (Main Mode responder: SKEYID is needed before IDii arrives, RFC 2409 §5.4), by the peer's address.
    /// Returns false when there is none.
    /// </summary>
    bool TryGetPreSharedKey(IkeIdentity? localId, IkeIdentity? remoteId, IPAddress? remoteAddress, out ReadOnlyMemory<byte> key);
}
