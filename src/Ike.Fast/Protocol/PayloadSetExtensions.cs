using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>Mapping of payload types to <see cref="PayloadSet"/> bits.</summary>
internal static class PayloadSetExtensions
{
    internal static PayloadSet ToSet(this PayloadType type) => type switch
    {
        PayloadType.SecurityAssociation => PayloadSet.Sa,
        PayloadType.KeyExchange => PayloadSet.Ke,
        PayloadType.Identification => PayloadSet.Id,
        PayloadType.Certificate => PayloadSet.Cert,
        PayloadType.CertificateRequest => PayloadSet.CertRequest,
        PayloadType.Hash => PayloadSet.Hash,
        PayloadType.Signature => PayloadSet.Signature,
        PayloadType.Nonce => PayloadSet.Nonce,
        PayloadType.Notification => PayloadSet.Notify,
        PayloadType.Delete => PayloadSet.Delete,
        PayloadType.VendorId => PayloadSet.VendorId,
        PayloadType.NatDiscovery or PayloadType.NatDiscoveryDraft => PayloadSet.NatDiscovery,
        PayloadType.NatOriginalAddress or PayloadType.NatOriginalAddressDraft => PayloadSet.NatOriginalAddress,
        PayloadType.Fragment => PayloadSet.Fragment,
        _ => PayloadSet.Other,
    };
}
