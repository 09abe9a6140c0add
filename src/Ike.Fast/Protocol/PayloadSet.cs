namespace Ike.Fast.Protocol;

/// <summary>A set of payload types present in (or required of) a message; one bit per type.</summary>
[Flags]
public enum PayloadSet
{
    /// <summary>Empty.</summary>
    None = 0,

    /// <summary>SA (1).</summary>
    Sa = 1 << 0,

    /// <summary>Key Exchange (4).</summary>
    Ke = 1 << 1,

    /// <summary>Identification (5), first one (IDii/IDir or IDci).</summary>
    Id = 1 << 2,

    /// <summary>Second Identification payload (IDcr in Quick Mode).</summary>
    Id2 = 1 << 3,

    /// <summary>Certificate (6).</summary>
    Cert = 1 << 4,

    /// <summary>Certificate Request (7).</summary>
    CertRequest = 1 << 5,

    /// <summary>Hash (8).</summary>
    Hash = 1 << 6,

    /// <summary>Signature (9).</summary>
    Signature = 1 << 7,

    /// <summary>Nonce (10).</summary>
    Nonce = 1 << 8,

    /// <summary>Notification (11).</summary>
    Notify = 1 << 9,

    /// <summary>Delete (12).</summary>
    Delete = 1 << 10,

    /// <summary>Vendor ID (13).</summary>
    VendorId = 1 << 11,

    /// <summary>NAT-D (20 or draft 130).</summary>
    NatDiscovery = 1 << 12,

    /// <summary>NAT-OA (21 or draft 131).</summary>
    NatOriginalAddress = 1 << 13,

    /// <summary>IKE fragment (132).</summary>
    Fragment = 1 << 14,

    /// <summary>Anything else.</summary>
    Other = 1 << 15,

    /// <summary>Attribute (14, Transaction exchange).</summary>
    Attribute = 1 << 16,
}
