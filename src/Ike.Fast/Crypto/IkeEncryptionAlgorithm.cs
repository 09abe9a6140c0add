namespace Ike.Fast.Crypto;

/// <summary>
/// Oakley "Encryption Algorithm" class values (RFC 2409 Appendix A; AES-CBC from RFC 3602 §5.3, Camellia from
/// RFC 4312). Only <see cref="TripleDesCbc"/> and <see cref="AesCbc"/> are implemented.
/// </summary>
public enum IkeEncryptionAlgorithm
{
    /// <summary>Not negotiated.</summary>
    None = 0,

    /// <summary>DES-CBC: 56-bit key, refused (brute-forceable; RFC 4109 §3 demotes it to MAY).</summary>
    DesCbc = 1,

    /// <summary>IDEA-CBC (not implemented).</summary>
    IdeaCbc = 2,

    /// <summary>Blowfish-CBC (not implemented).</summary>
    BlowfishCbc = 3,

    /// <summary>RC5-R16-B64-CBC (not implemented).</summary>
    Rc5R16B64Cbc = 4,

    /// <summary>3DES-CBC (EDE, three independent keys, 24-byte key, 8-byte block).</summary>
    TripleDesCbc = 5,

    /// <summary>CAST-CBC (not implemented).</summary>
    CastCbc = 6,

    /// <summary>AES-CBC with a Key Length attribute of 128, 192 or 256 bits (RFC 3602 §5.3).</summary>
    AesCbc = 7,

    /// <summary>Camellia-CBC (not implemented).</summary>
    CamelliaCbc = 8,
}
