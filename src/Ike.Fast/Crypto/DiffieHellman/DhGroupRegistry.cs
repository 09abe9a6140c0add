using System.Diagnostics.CodeAnalysis;

namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// The groups IkeFast implements, by IANA number. Short exponent lengths N (bits) follow
/// N = max(2s, RFC 3526 §8 lower exponent estimate, 256), rounded up to a whole byte, where s is the
/// group's security strength (NIST SP 800-56A rev. 3 §5.6.1.1.4 requires N &gt;= 2s for safe-prime groups):
/// MODP-2048 s = 112 → 256; MODP-3072 s = 128, RFC 3526 260 → 264; MODP-4096 s = 152 → 304;
/// MODP-6144 s = 176 → 352; MODP-8192 s = 200 → 400. The 256-bit floor costs ~15% over 224 bits on group 14
/// and keeps a 128-bit margin against the Pollard-rho attack on the exponent.
/// </summary>
public static class DhGroupRegistry
{
    private static readonly DhGroup[] Groups =
    [
        Modp(DhGroupId.Modp768, ModpGroup.Modp768, strength: 64, exponentBits: 256, legacy: true),
        Modp(DhGroupId.Modp1024, ModpGroup.Modp1024, strength: 80, exponentBits: 256, legacy: true),
        Modp(DhGroupId.Modp1536, ModpGroup.Modp1536, strength: 96, exponentBits: 256, legacy: false),
        Modp(DhGroupId.Modp2048, ModpGroup.Modp2048, strength: 112, exponentBits: 256, legacy: false),
        Modp(DhGroupId.Modp3072, ModpGroup.Modp3072, strength: 128, exponentBits: 264, legacy: false),
        Modp(DhGroupId.Modp4096, ModpGroup.Modp4096, strength: 152, exponentBits: 304, legacy: false),
        Modp(DhGroupId.Modp6144, ModpGroup.Modp6144, strength: 176, exponentBits: 352, legacy: false),
        Modp(DhGroupId.Modp8192, ModpGroup.Modp8192, strength: 200, exponentBits: 400, legacy: false),
        Ecp(DhGroupId.Ecp256, "ECP-256", "nistP256", coordinateLength: 32, strength: 128),
        Ecp(DhGroupId.Ecp384, "ECP-384", "nistP384", coordinateLength: 48, strength: 192),
        Ecp(DhGroupId.Ecp521, "ECP-521", "nistP521", coordinateLength: 66, strength: 256),
        new DhGroup(DhGroupId.Curve25519, DhGroupKind.Curve25519, "Curve25519", 32, 32, 128, isLegacy: false),
    ];

    /// <summary>Every implemented group, in IANA order.</summary>
    public static IReadOnlyList<DhGroup> All => Groups;

    /// <summary>The descriptor of an implemented group.</summary>
    public static bool TryGet(DhGroupId id, [NotNullWhen(true)] out DhGroup? group)
    {
        foreach (DhGroup g in Groups)
        {
            if (g.Id == id)
            {
                group = g;
                return true;
            }
        }

        group = null;
        return false;
    }

    /// <summary>The descriptor of an implemented group; throws for an unknown id (configuration error).</summary>
    public static DhGroup Get(DhGroupId id) =>
        TryGet(id, out DhGroup? group) ? group : throw new ArgumentOutOfRangeException(nameof(id), id, "Unsupported DH group.");

    /// <summary>
    /// Whether a group may be used: it must be implemented, and a legacy group (1, 2) only when the
    /// configuration names it explicitly rather than through a default or wildcard list.
    /// </summary>
    public static bool IsAcceptable(DhGroupId id, bool namedExplicitly) =>
        TryGet(id, out DhGroup? group) && (!group.IsLegacy || namedExplicitly);

    private static DhGroup Modp(DhGroupId id, ModpGroup modp, int strength, int exponentBits, bool legacy) =>
        new(id, DhGroupKind.Modp, $"MODP-{modp.Bits}", modp.ByteLength, modp.ByteLength, strength, legacy, exponentBits, modp);

    private static DhGroup Ecp(DhGroupId id, string name, string curve, int coordinateLength, int strength) =>
        new(id, DhGroupKind.Ecp, name, 2 * coordinateLength, coordinateLength, strength, isLegacy: false, curveOidFriendlyName: curve);
}
