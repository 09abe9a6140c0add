using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// One cached <see cref="IncrementalHash"/> per algorithm per thread. Creating one costs an OpenSSL context and
/// managed objects; reusing it makes the platform path allocation-free after warm-up. A nested rent (two contexts
/// of one algorithm open at once on a thread) gets a fresh instance, returned to the cache or disposed.
/// </summary>
internal static class IncrementalHashPool
{
    [ThreadStatic]
    private static IncrementalHash?[]? t_cache;

    internal static IncrementalHash Rent(IkeHashAlgorithm algorithm)
    {
        IncrementalHash?[] cache = t_cache ??= new IncrementalHash?[8];
        IncrementalHash? hash = cache[(int)algorithm];
        if (hash is not null)
        {
            cache[(int)algorithm] = null;
            return hash;
        }

        return IncrementalHash.CreateHash(IkeHashAlgorithmInfo.GetName(algorithm));
    }

    /// <summary>Returns a hash that has been reset (its last call was GetHashAndReset).</summary>
    internal static void Return(IkeHashAlgorithm algorithm, IncrementalHash hash)
    {
        IncrementalHash?[] cache = t_cache ??= new IncrementalHash?[8];
        if (cache[(int)algorithm] is null)
        {
            cache[(int)algorithm] = hash;
        }
        else
        {
            hash.Dispose();
        }
    }
}
