namespace Ike.Native.Xfrm;

/// <summary>ESP ciphers, mapped to the Linux crypto API names by the native shim.</summary>
public enum XfrmEncryptionAlgorithm : byte
{
    /// <summary>No cipher (AH).</summary>
    None = 0,

    /// <summary>cbc(aes), RFC 3602; key 16/24/32 bytes.</summary>
    AesCbc = 1,

    /// <summary>cbc(des3_ede), RFC 2451; key 24 bytes.</summary>
    TripleDesCbc = 2,

    /// <summary>rfc3686(ctr(aes)); key 16/24/32 bytes followed by the 4-byte nonce.</summary>
    AesCtr = 3,

    /// <summary>rfc4106(gcm(aes)) with a 16-byte ICV (AEAD); key 16/24/32 bytes followed by the 4-byte salt.</summary>
    AesGcm16 = 4,

    /// <summary>ecb(cipher_null), RFC 2410.</summary>
    Null = 5,
}
