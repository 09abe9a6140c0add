namespace Ike.Fast.InteropTests;

/// <summary>
/// One strongSwan-syntax proposal (<c>enc-integ[-dh]</c>) and the names each implementation reports for it:
/// charon's <c>swanctl --list-sas --raw</c>, pluto's <c>whack --status</c> ("IKEv1 algorithm newest",
/// "ESP algorithm newest") and IkeFast's status (enum names of Ike.Fast.Wire / Ike.Fast.Crypto).
/// </summary>
internal sealed record ProposalNames(string Encryption, string Integrity, string? Group)
{
    public static ProposalNames Parse(string proposal)
    {
        var parts = proposal.Split('-');
        return new ProposalNames(parts[0], parts[1], parts.Length > 2 ? parts[2] : null);
    }

    /// <summary>charon encr-alg and encr-keysize (null: not printed, as for 3DES).</summary>
    public (string Alg, string? KeySize) CharonEncryption => Encryption switch
    {
        "aes128" => ("AES_CBC", "128"),
        "aes256" => ("AES_CBC", "256"),
        "3des" => ("3DES_CBC", null),
        _ => throw new ArgumentException(Encryption),
    };

    /// <summary>charon integ-alg (the same for Phase 1 and ESP: truncated HMAC names).</summary>
    public string CharonIntegrity => Integrity switch
    {
        "sha1" => "HMAC_SHA1_96",
        "sha256" => "HMAC_SHA2_256_128",
        _ => throw new ArgumentException(Integrity),
    };

    public string? CharonGroup => Group switch
    {
        null => null,
        "modp1024" => "MODP_1024",
        "modp2048" => "MODP_2048",
        "ecp256" => "ECP_256",
        "curve25519" => "CURVE_25519",
        _ => throw new ArgumentException(Group),
    };

    /// <summary>pluto's "IKEv1 algorithm newest: AES_CBC_128-HMAC_SHA2_256-MODP2048".</summary>
    public string PlutoIke => $"{PlutoEncryption}-{Integrity switch { "sha1" => "HMAC_SHA1", _ => "HMAC_SHA2_256" }}-{PlutoGroup}";

    /// <summary>pluto's "ESP algorithm newest: AES_CBC_128-HMAC_SHA2_256_128".</summary>
    public string PlutoEsp => $"{PlutoEncryption}-{Integrity switch { "sha1" => "HMAC_SHA1_96", _ => "HMAC_SHA2_256_128" }}";

    public string PlutoEncryption => Encryption switch
    {
        "aes128" => "AES_CBC_128",
        "aes256" => "AES_CBC_256",
        "3des" => "3DES_CBC",
        _ => throw new ArgumentException(Encryption),
    };

    public string? PlutoGroup => Group switch
    {
        null => null,
        "modp1024" => "MODP1024",
        "modp2048" => "MODP2048",
        "ecp256" => "DH19",
        "curve25519" => "DH31",
        _ => throw new ArgumentException(Group),
    };

    /// <summary>IkeFast child_sas encryption (EspTransformId name, "-bits" for AES).</summary>
    public string IkeFastEncryption => Encryption switch
    {
        "aes128" => "AesCbc-128",
        "aes256" => "AesCbc-256",
        "3des" => "TripleDes-192",
        _ => throw new ArgumentException(Encryption),
    };

    /// <summary>IkeFast child_sas integrity (IpsecAuthenticationAlgorithm name).</summary>
    public string IkeFastIntegrity => Integrity switch
    {
        "sha1" => "HmacSha1",
        "sha256" => "HmacSha2_256",
        _ => throw new ArgumentException(Integrity),
    };

    /// <summary>IkeFast child_sas pfs_group (DhGroupId name), empty without PFS.</summary>
    public string IkeFastGroup => Group switch
    {
        null => string.Empty,
        "modp1024" => "Modp1024",
        "modp2048" => "Modp2048",
        "ecp256" => "Ecp256",
        "curve25519" => "Curve25519",
        _ => throw new ArgumentException(Group),
    };
}
