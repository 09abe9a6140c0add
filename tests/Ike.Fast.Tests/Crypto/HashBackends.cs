using Ike.Fast.Crypto;
using Ike.Fast.Crypto.Interop;

namespace Ike.Fast.Tests.Crypto;

/// <summary>The hash/PRF implementations available for an algorithm on this machine.</summary>
internal static class HashBackends
{
    internal static IEnumerable<HashBackend> For(IkeHashAlgorithm algorithm)
    {
        yield return HashBackend.Auto;
        yield return HashBackend.Platform;
        if (algorithm is IkeHashAlgorithm.Sha1 or IkeHashAlgorithm.Sha256)
        {
            yield return HashBackend.Scalar;
            if (ShaNative.IsAvailable)
            {
                yield return HashBackend.Native;
            }
        }
    }

    internal static byte[] Hmac(IkeHashAlgorithm algorithm, byte[] key, byte[] data) => algorithm switch
    {
        IkeHashAlgorithm.Md5 => System.Security.Cryptography.HMACMD5.HashData(key, data),
        IkeHashAlgorithm.Sha1 => System.Security.Cryptography.HMACSHA1.HashData(key, data),
        IkeHashAlgorithm.Sha256 => System.Security.Cryptography.HMACSHA256.HashData(key, data),
        IkeHashAlgorithm.Sha384 => System.Security.Cryptography.HMACSHA384.HashData(key, data),
        IkeHashAlgorithm.Sha512 => System.Security.Cryptography.HMACSHA512.HashData(key, data),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    internal static byte[] Hash(IkeHashAlgorithm algorithm, byte[] data) => algorithm switch
    {
        IkeHashAlgorithm.Md5 => System.Security.Cryptography.MD5.HashData(data),
        IkeHashAlgorithm.Sha1 => System.Security.Cryptography.SHA1.HashData(data),
        IkeHashAlgorithm.Sha256 => System.Security.Cryptography.SHA256.HashData(data),
        IkeHashAlgorithm.Sha384 => System.Security.Cryptography.SHA384.HashData(data),
        IkeHashAlgorithm.Sha512 => System.Security.Cryptography.SHA512.HashData(data),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    internal static byte[] Prf(IkeHashAlgorithm algorithm, HashBackend backend, byte[] key, params byte[][] parts)
    {
        var output = new byte[IkeHashAlgorithmInfo.GetOutputSize(algorithm)];
        using PrfContext prf = new(algorithm, key, backend);
        foreach (byte[] part in parts)
        {
            prf.Append(part);
        }

        Assert.Equal(output.Length, prf.Finish(output));
        return output;
    }
}
