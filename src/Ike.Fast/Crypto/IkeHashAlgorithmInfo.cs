using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>Sizes and .NET names of the <see cref="IkeHashAlgorithm"/> values.</summary>
public static class IkeHashAlgorithmInfo
{
    /// <summary>The largest digest size of any supported algorithm (SHA2-512).</summary>
    public const int MaxOutputSize = 64;

    /// <summary>The largest compression-function block size of any supported algorithm (SHA2-384/512).</summary>
    public const int MaxBlockSize = 128;

    /// <summary>True when the algorithm is implemented.</summary>
    public static bool IsSupported(IkeHashAlgorithm algorithm) => algorithm is IkeHashAlgorithm.Md5
        or IkeHashAlgorithm.Sha1 or IkeHashAlgorithm.Sha256 or IkeHashAlgorithm.Sha384 or IkeHashAlgorithm.Sha512;

    /// <summary>Digest (and PRF output) size in bytes.</summary>
    public static int GetOutputSize(IkeHashAlgorithm algorithm) => algorithm switch
    {
        IkeHashAlgorithm.Md5 => 16,
        IkeHashAlgorithm.Sha1 => 20,
        IkeHashAlgorithm.Sha256 => 32,
        IkeHashAlgorithm.Sha384 => 48,
        IkeHashAlgorithm.Sha512 => 64,
        _ => throw Unsupported(algorithm),
    };

    /// <summary>Compression-function block size in bytes: the HMAC key block B of RFC 2104 §2.</summary>
    public static int GetBlockSize(IkeHashAlgorithm algorithm) => algorithm switch
    {
        IkeHashAlgorithm.Md5 or IkeHashAlgorithm.Sha1 or IkeHashAlgorithm.Sha256 => 64,
        IkeHashAlgorithm.Sha384 or IkeHashAlgorithm.Sha512 => 128,
        _ => throw Unsupported(algorithm),
    };

    internal static HashAlgorithmName GetName(IkeHashAlgorithm algorithm) => algorithm switch
    {
        IkeHashAlgorithm.Md5 => HashAlgorithmName.MD5,
        IkeHashAlgorithm.Sha1 => HashAlgorithmName.SHA1,
        IkeHashAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        IkeHashAlgorithm.Sha384 => HashAlgorithmName.SHA384,
        IkeHashAlgorithm.Sha512 => HashAlgorithmName.SHA512,
        _ => throw Unsupported(algorithm),
    };

    internal static NotSupportedException Unsupported(IkeHashAlgorithm algorithm) =>
        new($"IKE hash algorithm {algorithm} ({(int)algorithm}) is not supported (RFC 2409 Appendix A: MD5, SHA, SHA2-256/384/512 are).");
}
