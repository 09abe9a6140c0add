namespace Ike.Fast.Wire;

/// <summary>
/// ISAKMP "Next Payload Types" (RFC 2408 §3.1, IANA ISAKMP registry), plus the IKEv1 extensions in use:
/// the Transaction-exchange Attribute payload (draft-ietf-ipsec-isakmp-mode-cfg), NAT-T (RFC 3947 and the
/// pre-RFC draft numbers still sent by older peers) and the Cisco/strongSwan IKE fragmentation payload.
/// </summary>
public enum PayloadType : byte
{
    None = 0,
    SecurityAssociation = 1,
    Proposal = 2,
    Transform = 3,
    KeyExchange = 4,
    Identification = 5,
    Certificate = 6,
    CertificateRequest = 7,
    Hash = 8,
    Signature = 9,
    Nonce = 10,
    Notification = 11,
    Delete = 12,
    VendorId = 13,

    /// <summary>Attribute payload of the Transaction exchange (mode-config / XAUTH).</summary>
    Attribute = 14,

    /// <summary>NAT-D, RFC 3947 §3.2.</summary>
    NatDiscovery = 20,

    /// <summary>NAT-OA, RFC 3947 §5.2.</summary>
    NatOriginalAddress = 21,

    /// <summary>NAT-D as numbered by draft-ietf-ipsec-nat-t-ike-02/03.</summary>
    NatDiscoveryDraft = 130,

    /// <summary>NAT-OA as numbered by draft-ietf-ipsec-nat-t-ike-02/03.</summary>
    NatOriginalAddressDraft = 131,

    /// <summary>IKE fragment (Cisco format, also spoken by strongSwan and Libreswan).</summary>
    Fragment = 132,
}
