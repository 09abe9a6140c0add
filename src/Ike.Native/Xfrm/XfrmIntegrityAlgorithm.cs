namespace Ike.Native.Xfrm;

/// <summary>Integrity transforms, sent as XFRMA_ALG_AUTH_TRUNC with the RFC truncation length.</summary>
public enum XfrmIntegrityAlgorithm : byte
{
    None = 0,

    /// <summary>hmac(sha1), 96-bit ICV (RFC 2404); key 20 bytes.</summary>
    HmacSha1_96 = 1,

    /// <summary>hmac(sha256), 128-bit ICV (RFC 4868); key 32 bytes.</summary>
    HmacSha256_128 = 2,

    /// <summary>hmac(sha384), 192-bit ICV (RFC 4868); key 48 bytes.</summary>
    HmacSha384_192 = 3,

    /// <summary>hmac(sha512), 256-bit ICV (RFC 4868); key 64 bytes.</summary>
    HmacSha512_256 = 4,

    /// <summary>hmac(md5), 96-bit ICV (RFC 2403); key 16 bytes.</summary>
    HmacMd5_96 = 5,
}
