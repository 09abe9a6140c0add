using System.Net;
using System.Text;

namespace Ike.Fast.Policy;

/// <summary>
/// A simple <see cref="ISecretStore"/>: PSKs registered by identity and/or address (swanctl.conf
/// <c>secrets.ike-x { secret = ..., id = ... }</c>). An entry with no identities and no addresses is the wildcard.
/// </summary>
public sealed class InMemorySecretStore : ISecretStore
{
    private readonly List<(IkeIdentity[] Ids, IPAddress[] Addresses, byte[] Key)> _entries = [];

    /// <summary>Adds a PSK for the given identities/addresses (any of them selects it).</summary>
    public InMemorySecretStore AddPreSharedKey(byte[] key, IEnumerable<IkeIdentity>? identities = null, IEnumerable<IPAddress>? addresses = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        _entries.Add(([.. identities ?? []], [.. addresses ?? []], key));
        return this;
    }

    /// <summary>Adds a text PSK (UTF-8 bytes, as swanctl.conf <c>secret = "..."</c>).</summary>
    public InMemorySecretStore AddPreSharedKey(string key, params IkeIdentity[] identities) =>
        AddPreSharedKey(Encoding.UTF8.GetBytes(key), identities);

    /// <summary>Adds a text PSK selected by peer address.</summary>
    public InMemorySecretStore AddPreSharedKey(string key, IPAddress address) =>
        AddPreSharedKey(Encoding.UTF8.GetBytes(key), null, [address]);

    /// <inheritdoc/>
    public bool TryGetPreSharedKey(IkeIdentity? localId, IkeIdentity? remoteId, IPAddress? remoteAddress, out ReadOnlyMemory<byte> key)
    {
        byte[]? wildcard = null;
        foreach ((IkeIdentity[] ids, IPAddress[] addresses, byte[] k) in _entries)
        {
            if (ids.Length == 0 && addresses.Length == 0)
            {
                wildcard ??= k;
                continue;
            }

            foreach (IkeIdentity id in ids)
            {
                if ((remoteId is not null && id.Equals(remoteId)) || (localId is not null && id.Equals(localId)))
                {
                    key = k;
                    return true;
                }
            }

            foreach (IPAddress a in addresses)
            {
                if (remoteAddress is not null && a.Equals(remoteAddress))
                {
                    key = k;
                    return true;
                }
            }
        }

        key = wildcard;
        return wildcard is not null;
    }
}
