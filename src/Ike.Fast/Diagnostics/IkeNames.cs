namespace Ike.Fast.Diagnostics;

/// <summary>
/// Registry names for the numbers the formatter shows (IANA "Internet Key Exchange (IKE) Attributes" and
/// "ISAKMP Identifiers" registries: RFC 2407, RFC 2408, RFC 2409, RFC 3947, RFC 3706). Tree output only; JSON
/// carries the numbers. Null when a value has no registered name.
/// </summary>
internal static class IkeNames
{
    public static string? PayloadType(int type) => type switch
    {
        0 => "NONE",
        1 => "Security Association",
        2 => "Proposal",
        3 => "Transform",
        4 => "Key Exchange",
        5 => "Identification",
        6 => "Certificate",
        7 => "Certificate Request",
        8 => "Hash",
        9 => "Signature",
        10 => "Nonce",
        11 => "Notification",
        12 => "Delete",
        13 => "Vendor ID",
        14 => "Attribute",
        20 => "NAT-D",
        21 => "NAT-OA",
        130 => "NAT-D (draft)",
        131 => "NAT-OA (draft)",
        132 => "IKE Fragment",
        _ => null,
    };

    public static string? ExchangeType(int type) => type switch
    {
        1 => "Base",
        2 => "Identity Protection (Main Mode)",
        3 => "Authentication Only",
        4 => "Aggressive",
        5 => "Informational",
        6 => "Transaction (Mode Config)",
        32 => "Quick Mode",
        33 => "New Group Mode",
        _ => null,
    };

    public static string? Doi(long doi) => doi switch
    {
        0 => "ISAKMP",
        1 => "IPsec",
        _ => null,
    };

    public static string? ProtocolId(int protocol) => protocol switch
    {
        1 => "ISAKMP",
        2 => "IPSEC_AH",
        3 => "IPSEC_ESP",
        4 => "IPCOMP",
        _ => null,
    };

    public static string? TransformId(int protocol, int id) => (protocol, id) switch
    {
        (1, 1) => "KEY_IKE",
        (2, 2) => "AH_MD5",
        (2, 3) => "AH_SHA",
        (2, 4) => "AH_DES",
        (2, 5) => "AH_SHA2-256",
        (2, 6) => "AH_SHA2-384",
        (2, 7) => "AH_SHA2-512",
        (3, 2) => "ESP_DES",
        (3, 3) => "ESP_3DES",
        (3, 11) => "ESP_NULL",
        (3, 12) => "ESP_AES-CBC",
        (3, 13) => "ESP_AES-CTR",
        (3, 14) => "ESP_AES-CCM_8",
        (3, 18) => "ESP_AES-GCM_8",
        (3, 19) => "ESP_AES-GCM_12",
        (3, 20) => "ESP_AES-GCM_16",
        (3, 23) => "ESP_NULL_AUTH_AES-GMAC",
        (4, 2) => "IPCOMP_DEFLATE",
        (4, 3) => "IPCOMP_LZS",
        _ => null,
    };

    /// <summary>Phase 1 attribute classes (RFC 2409 Appendix A) when <paramref name="ipsec"/> is false, IPsec DOI SA attributes (RFC 2407 section 4.5) when true.</summary>
    public static string? AttributeType(bool ipsec, int type) => ipsec
        ? type switch
        {
            1 => "SA Life Type",
            2 => "SA Life Duration",
            3 => "Group Description",
            4 => "Encapsulation Mode",
            5 => "Authentication Algorithm",
            6 => "Key Length",
            7 => "Key Rounds",
            8 => "Compress Dictionary Size",
            9 => "Compress Private Algorithm",
            _ => null,
        }
        : type switch
        {
            1 => "Encryption Algorithm",
            2 => "Hash Algorithm",
            3 => "Authentication Method",
            4 => "Group Description",
            5 => "Group Type",
            6 => "Group Prime/Irreducible Polynomial",
            7 => "Group Generator One",
            8 => "Group Generator Two",
            9 => "Group Curve A",
            10 => "Group Curve B",
            11 => "Life Type",
            12 => "Life Duration",
            13 => "PRF",
            14 => "Key Length",
            15 => "Field Size",
            16 => "Group Order",
            _ => null,
        };

    public static string? AttributeValue(bool ipsec, int type, long value) => ipsec
        ? type switch
        {
            1 => LifeType(value),
            3 => Group(value),
            4 => value switch
            {
                1 => "Tunnel",
                2 => "Transport",
                3 => "UDP-Encapsulated-Tunnel",
                4 => "UDP-Encapsulated-Transport",
                61443 => "UDP-Encapsulated-Tunnel (draft)",
                61444 => "UDP-Encapsulated-Transport (draft)",
                _ => null,
            },
            5 => value switch
            {
                1 => "HMAC-MD5",
                2 => "HMAC-SHA",
                3 => "DES-MAC",
                4 => "KPDK",
                5 => "HMAC-SHA2-256",
                6 => "HMAC-SHA2-384",
                7 => "HMAC-SHA2-512",
                _ => null,
            },
            _ => null,
        }
        : type switch
        {
            1 => value switch
            {
                1 => "DES-CBC",
                2 => "IDEA-CBC",
                3 => "Blowfish-CBC",
                4 => "RC5-R16-B64-CBC",
                5 => "3DES-CBC",
                6 => "CAST-CBC",
                7 => "AES-CBC",
                8 => "Camellia-CBC",
                _ => null,
            },
            2 => value switch
            {
                1 => "MD5",
                2 => "SHA",
                3 => "Tiger",
                4 => "SHA2-256",
                5 => "SHA2-384",
                6 => "SHA2-512",
                _ => null,
            },
            3 => value switch
            {
                1 => "Pre-shared key",
                2 => "DSS signatures",
                3 => "RSA signatures",
                4 => "RSA encryption",
                5 => "Revised RSA encryption",
                9 => "ECDSA-SHA256",
                10 => "ECDSA-SHA384",
                11 => "ECDSA-SHA512",
                65001 => "XAUTHInitPreShared",
                65005 => "XAUTHInitRSA",
                _ => null,
            },
            4 => Group(value),
            5 => value switch
            {
                1 => "MODP",
                2 => "ECP",
                3 => "EC2N",
                _ => null,
            },
            11 => LifeType(value),
            _ => null,
        };

    private static string? LifeType(long value) => value switch
    {
        1 => "seconds",
        2 => "kilobytes",
        _ => null,
    };

    public static string? Group(long value) => value switch
    {
        1 => "768-bit MODP",
        2 => "1024-bit MODP",
        3 => "EC2N 155",
        4 => "EC2N 185",
        5 => "1536-bit MODP",
        14 => "2048-bit MODP",
        15 => "3072-bit MODP",
        16 => "4096-bit MODP",
        17 => "6144-bit MODP",
        18 => "8192-bit MODP",
        19 => "256-bit random ECP",
        20 => "384-bit random ECP",
        21 => "521-bit random ECP",
        31 => "Curve25519",
        32 => "Curve448",
        _ => null,
    };

    public static string? NotifyType(int type) => type switch
    {
        1 => "INVALID-PAYLOAD-TYPE",
        2 => "DOI-NOT-SUPPORTED",
        3 => "SITUATION-NOT-SUPPORTED",
        4 => "INVALID-COOKIE",
        5 => "INVALID-MAJOR-VERSION",
        6 => "INVALID-MINOR-VERSION",
        7 => "INVALID-EXCHANGE-TYPE",
        8 => "INVALID-FLAGS",
        9 => "INVALID-MESSAGE-ID",
        10 => "INVALID-PROTOCOL-ID",
        11 => "INVALID-SPI",
        12 => "INVALID-TRANSFORM-ID",
        13 => "ATTRIBUTES-NOT-SUPPORTED",
        14 => "NO-PROPOSAL-CHOSEN",
        15 => "BAD-PROPOSAL-SYNTAX",
        16 => "PAYLOAD-MALFORMED",
        17 => "INVALID-KEY-INFORMATION",
        18 => "INVALID-ID-INFORMATION",
        19 => "INVALID-CERT-ENCODING",
        20 => "INVALID-CERTIFICATE",
        21 => "CERT-TYPE-UNSUPPORTED",
        22 => "INVALID-CERT-AUTHORITY",
        23 => "INVALID-HASH-INFORMATION",
        24 => "AUTHENTICATION-FAILED",
        25 => "INVALID-SIGNATURE",
        26 => "ADDRESS-NOTIFICATION",
        27 => "NOTIFY-SA-LIFETIME",
        28 => "CERTIFICATE-UNAVAILABLE",
        29 => "UNSUPPORTED-EXCHANGE-TYPE",
        30 => "UNEQUAL-PAYLOAD-LENGTHS",
        16384 => "CONNECTED",
        24576 => "RESPONDER-LIFETIME",
        24577 => "REPLAY-STATUS",
        24578 => "INITIAL-CONTACT",
        36136 => "R-U-THERE",
        36137 => "R-U-THERE-ACK",
        _ => null,
    };

    public static string? IdType(int type) => type switch
    {
        1 => "ID_IPV4_ADDR",
        2 => "ID_FQDN",
        3 => "ID_USER_FQDN",
        4 => "ID_IPV4_ADDR_SUBNET",
        5 => "ID_IPV6_ADDR",
        6 => "ID_IPV6_ADDR_SUBNET",
        7 => "ID_IPV4_ADDR_RANGE",
        8 => "ID_IPV6_ADDR_RANGE",
        9 => "ID_DER_ASN1_DN",
        10 => "ID_DER_ASN1_GN",
        11 => "ID_KEY_ID",
        _ => null,
    };

    public static string? CertificateEncoding(int encoding) => encoding switch
    {
        1 => "PKCS #7 wrapped X.509",
        2 => "PGP",
        3 => "DNS Signed Key",
        4 => "X.509 Signature",
        5 => "X.509 Key Exchange",
        6 => "Kerberos Tokens",
        7 => "CRL",
        8 => "ARL",
        9 => "SPKI",
        10 => "X.509 Attribute",
        _ => null,
    };

    public static string? ConfigurationType(int type) => type switch
    {
        1 => "ISAKMP_CFG_REQUEST",
        2 => "ISAKMP_CFG_REPLY",
        3 => "ISAKMP_CFG_SET",
        4 => "ISAKMP_CFG_ACK",
        _ => null,
    };

    public static string? ConfigurationAttribute(int type) => type switch
    {
        1 => "INTERNAL_IP4_ADDRESS",
        2 => "INTERNAL_IP4_NETMASK",
        3 => "INTERNAL_IP4_DNS",
        4 => "INTERNAL_IP4_NBNS",
        5 => "INTERNAL_ADDRESS_EXPIRY",
        6 => "INTERNAL_IP4_DHCP",
        7 => "APPLICATION_VERSION",
        8 => "INTERNAL_IP6_ADDRESS",
        16520 => "XAUTH_TYPE",
        16521 => "XAUTH_USER_NAME",
        16522 => "XAUTH_USER_PASSWORD",
        16523 => "XAUTH_PASSCODE",
        16524 => "XAUTH_MESSAGE",
        16525 => "XAUTH_CHALLENGE",
        16526 => "XAUTH_DOMAIN",
        16527 => "XAUTH_STATUS",
        _ => null,
    };

    /// <summary>Well-known vendor IDs (exact match, or prefix for the versioned ones).</summary>
    public static string? VendorId(ReadOnlySpan<byte> id)
    {
        string hex = Convert.ToHexStringLower(id);
        return hex switch
        {
            "09002689dfd6b712" => "XAUTH",
            "afcad71368a1f1c96b8696fc77570100" => "RFC 3706 DPD",
            "4a131c81070358455c5728f20e95452f" => "RFC 3947 NAT-T",
            "90cb80913ebb696e086381b5ec427b1f" => "draft-ietf-ipsec-nat-t-ike-02\\n",
            "cd60464335df21f87cfdb2fc68b6a448" => "draft-ietf-ipsec-nat-t-ike-02",
            "4485152d18b6bbcd0be8a8469579ddcc" => "draft-ietf-ipsec-nat-t-ike-00",
            "7d9419a65310ca6f2c179d9215529d56" => "draft-ietf-ipsec-nat-t-ike-03",
            "4048b7d56ebce88525e7de7f00d6c2d380000000" => "Cisco Fragmentation",
            "4048b7d56ebce88525e7de7f00d6c2d3" => "Cisco Fragmentation",
            "12f5f28c457168a9702d9fe274cc0100" => "Cisco Unity",
            "882fe56d6fd20dbc2251613b2ebe5beb" => "strongSwan",
            "4f45606c50487c5662707575" => "Libreswan (older)",
            _ => hex.StartsWith("4f45", StringComparison.Ordinal) && id.Length == 12 ? "Openswan/Libreswan" : null,
        };
    }
}
