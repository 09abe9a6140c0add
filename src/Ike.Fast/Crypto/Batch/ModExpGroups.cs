using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>The MODP groups the batched exponentiation serves (RFC 2409 section 6, RFC 3526).</summary>
internal static class ModExpGroups
{
    /// <summary>Groups 1, 2, 5, 14, 15, 16, 17, 18.</summary>
    internal static ReadOnlySpan<DhGroupId> Ids =>
    [
        DhGroupId.Modp768, DhGroupId.Modp1024, DhGroupId.Modp1536, DhGroupId.Modp2048,
        DhGroupId.Modp3072, DhGroupId.Modp4096, DhGroupId.Modp6144, DhGroupId.Modp8192,
    ];

    internal static IEnumerable<ModpGroup> All
    {
        get
        {
            foreach (DhGroupId id in Ids.ToArray())
            {
                yield return ForId(id);
            }
        }
    }

    /// <summary>The prime of a MODP group; throws for other groups (a configuration error).</summary>
    internal static ModpGroup ForId(DhGroupId id) => id switch
    {
        DhGroupId.Modp768 => ModpGroup.Modp768,
        DhGroupId.Modp1024 => ModpGroup.Modp1024,
        DhGroupId.Modp1536 => ModpGroup.Modp1536,
        DhGroupId.Modp2048 => ModpGroup.Modp2048,
        DhGroupId.Modp3072 => ModpGroup.Modp3072,
        DhGroupId.Modp4096 => ModpGroup.Modp4096,
        DhGroupId.Modp6144 => ModpGroup.Modp6144,
        DhGroupId.Modp8192 => ModpGroup.Modp8192,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "Not a MODP group."),
    };
}
