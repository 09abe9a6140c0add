namespace Ike.Fast.Wire;

/// <summary>Classification of <see cref="PayloadType"/> values.</summary>
public static class PayloadTypeExtensions
{
    /// <summary>
    /// True for the types that may appear in a message's payload chain (RFC 2408 §3.1 and the extensions this
    /// implementation speaks). Proposal and Transform only ever live inside an SA payload, so they are not.
    /// </summary>
    public static bool IsValidInChain(this PayloadType type) => type switch
    {
        PayloadType.SecurityAssociation or
        PayloadType.KeyExchange or
        PayloadType.Identification or
        PayloadType.Certificate or
        PayloadType.CertificateRequest or
        PayloadType.Hash or
        PayloadType.Signature or
        PayloadType.Nonce or
        PayloadType.Notification or
        PayloadType.Delete or
        PayloadType.VendorId or
        PayloadType.Attribute or
        PayloadType.NatDiscovery or
        PayloadType.NatOriginalAddress or
        PayloadType.NatDiscoveryDraft or
        PayloadType.NatOriginalAddressDraft or
        PayloadType.Fragment => true,
        _ => false,
    };
}
