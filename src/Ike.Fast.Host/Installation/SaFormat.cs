using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Installation;

/// <summary>Human-readable names of negotiated IPsec algorithms, in strongSwan's proposal keyword style.</summary>
internal static class SaFormat
{
    public static string Algorithms(ChildSaInfo sa)
    {
        var parts = new List<string>(3);
        if (sa.Protocol == Ike.Fast.Policy.IpsecProtocol.Esp)
        {
            parts.Add(sa.EncryptionKeyBits > 0 ? $"{sa.Encryption}-{sa.EncryptionKeyBits}" : sa.Encryption.ToString());
        }

        if (sa.Integrity is { } integrity)
        {
            parts.Add(integrity.ToString());
        }

        if (sa.PfsGroup is { } group)
        {
            parts.Add(group.ToString());
        }

        return string.Join('/', parts);
    }
}
