namespace Ike.Fast.Wire;

/// <summary>Values of the IKE Authentication Method attribute (RFC 2409 Appendix A, XAUTH/hybrid drafts).</summary>
public enum IkeAuthenticationMethod : ushort
{
    PreSharedKey = 1,
    DssSignatures = 2,
    RsaSignatures = 3,
    RsaEncryption = 4,
    RevisedRsaEncryption = 5,
    EcdsaP256Sha256 = 9,
    EcdsaP384Sha384 = 10,
    EcdsaP521Sha512 = 11,
    HybridInitiatorRsa = 64221,
    HybridResponderRsa = 64222,
    XauthInitiatorPreSharedKey = 65001,
    XauthResponderPreSharedKey = 65002,
    XauthInitiatorRsa = 65005,
    XauthResponderRsa = 65006,
}
