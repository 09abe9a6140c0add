using Ike.Fast.Wire;

namespace Ike.Fast.Diagnostics.Decryption;

/// <summary>
/// The Phase 1 transform the responder chose, read from its SA payload (RFC 2409 section 5: the responder
/// returns exactly one proposal with one transform): Oakley attributes of RFC 2409 Appendix A.
/// </summary>
internal sealed record NegotiatedPhase1(
    IkeEncryptionAlgorithm Encryption,
    int KeyLengthBits,
    IkeHashAlgorithm Hash,
    IkeAuthenticationMethod AuthenticationMethod,
    int Group,
    bool HasPrf)
{
    /// <summary>Reads the first transform of the first proposal of an SA payload body; null when it does not parse.</summary>
    public static NegotiatedPhase1? TryRead(ReadOnlySpan<byte> saBody)
    {
        if (!SecurityAssociationPayload.TryRead(saBody, 0, out SecurityAssociationPayload sa, out _))
        {
            return null;
        }

        ProposalReader proposals = sa.Proposals;
        if (!proposals.TryReadNext(out ProposalPayload proposal))
        {
            return null;
        }

        TransformReader transforms = proposal.Transforms;
        if (!transforms.TryReadNext(out TransformPayload transform))
        {
            return null;
        }

        var encryption = IkeEncryptionAlgorithm.DesCbc;
        var hash = IkeHashAlgorithm.Md5;
        var method = IkeAuthenticationMethod.PreSharedKey;
        int keyLength = 0, group = 0;
        bool hasPrf = false, hasEncryption = false, hasHash = false;
        DataAttributeReader attributes = transform.Attributes;
        while (attributes.TryReadNext(out DataAttribute attribute))
        {
            if (!attribute.TryGetInteger(out ulong value) || value > ushort.MaxValue)
            {
                continue; // variable-length attributes (group prime, life duration) do not matter here
            }

            switch ((IkeAttributeType)attribute.Type)
            {
                case IkeAttributeType.EncryptionAlgorithm:
                    encryption = (IkeEncryptionAlgorithm)value;
                    hasEncryption = true;
                    break;
                case IkeAttributeType.HashAlgorithm:
                    hash = (IkeHashAlgorithm)value;
                    hasHash = true;
                    break;
                case IkeAttributeType.AuthenticationMethod:
                    method = (IkeAuthenticationMethod)value;
                    break;
                case IkeAttributeType.GroupDescription:
                    group = (int)value;
                    break;
                case IkeAttributeType.KeyLength:
                    keyLength = (int)value;
                    break;
                case IkeAttributeType.Prf:
                    hasPrf = true;
                    break;
            }
        }

        return hasEncryption && hasHash ? new NegotiatedPhase1(encryption, keyLength, hash, method, group, hasPrf) : null;
    }

    /// <summary>True for the authentication methods whose SKEYID is prf(pre-shared-key, Ni_b | Nr_b) (RFC 2409 section 5; XAUTH variants of draft-ietf-ipsec-isakmp-xauth).</summary>
    public bool IsPreSharedKey => AuthenticationMethod is IkeAuthenticationMethod.PreSharedKey
        or IkeAuthenticationMethod.XauthInitiatorPreSharedKey or IkeAuthenticationMethod.XauthResponderPreSharedKey;

    /// <summary>True for the signature methods whose SKEYID is prf(Ni_b | Nr_b, g^xy) (RFC 2409 section 5).</summary>
    public bool IsSignature => AuthenticationMethod is IkeAuthenticationMethod.DssSignatures or IkeAuthenticationMethod.RsaSignatures
        or IkeAuthenticationMethod.EcdsaP256Sha256 or IkeAuthenticationMethod.EcdsaP384Sha384 or IkeAuthenticationMethod.EcdsaP521Sha512
        or IkeAuthenticationMethod.XauthInitiatorRsa or IkeAuthenticationMethod.XauthResponderRsa
        or IkeAuthenticationMethod.HybridInitiatorRsa or IkeAuthenticationMethod.HybridResponderRsa;

    /// <summary>A short description for the summary line (e.g. "AesCbc-128/Sha2_256/PreSharedKey/group 14").</summary>
    public override string ToString() =>
        $"{Encryption}{(KeyLengthBits > 0 ? $"-{KeyLengthBits}" : string.Empty)}/{Hash}/{AuthenticationMethod}/group {Group}";
}
