using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Host.Configuration;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// The daemon's Diffie-Hellman engine. Legacy groups (1, 2) are refused by default (DhEngineOptions) unless the
/// configuration names them: a proposal keyword such as <c>modp1024</c> in <c>proposals</c> or <c>esp_proposals</c>
/// is exactly that explicit naming (Ike.Fast.Policy README), so those groups are enabled here. Without this the
/// parser accepted <c>aes128-sha256-modp1024</c> but the engine then failed every exchange with
/// INVALID-KEY-INFORMATION (found against charon, tests/Ike.Fast.InteropTests).
/// </summary>
internal static class ConfiguredDhEngine
{
    public static ScalarDhEngine Create(IkeFastConfiguration configuration)
    {
        var named = new HashSet<DhGroupId>();
        foreach (var peer in configuration.Connections)
        {
            foreach (var p in peer.IkeProposals)
            {
                named.Add(p.Group);
            }

            foreach (var child in peer.Children)
            {
                foreach (var p in child.Proposals)
                {
                    if (p.PfsGroup is { } g)
                    {
                        named.Add(g);
                    }
                }
            }
        }

        named.IntersectWith([DhGroupId.Modp768, DhGroupId.Modp1024]);
        return new ScalarDhEngine(SystemDhRandomSource.Instance, new DhEngineOptions
        {
            ExplicitlyEnabledLegacyGroups = named,
            // daemon.dh_exponent (bench branch): full-length MODP exponents for a like-for-like race against charon.
            ExponentLength = configuration.Daemon.DhExponent,
        });
    }
}
