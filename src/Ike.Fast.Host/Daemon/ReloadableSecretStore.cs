using System.Net;
using Ike.Fast.Policy;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// The engine's secret store, swappable by <c>ikefast reload</c>: the engine keeps the store it was built with, so the
/// daemon hands it this indirection and replaces the store behind it (on the loop thread, the only reader).
/// </summary>
internal sealed class ReloadableSecretStore(ISecretStore current) : ISecretStore
{
    public ISecretStore Current { get; set; } = current;

    public bool TryGetPreSharedKey(IkeIdentity? localId, IkeIdentity? remoteId, IPAddress? remoteAddress, out ReadOnlyMemory<byte> key) =>
        Current.TryGetPreSharedKey(localId, remoteId, remoteAddress, out key);
}
