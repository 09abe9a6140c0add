namespace Ike.Fast.Crypto;

/// <summary>
/// One-shot IKEv1 PRF (HMAC with the negotiated hash, RFC 2409 §4) over one to four concatenated parts, and the
/// plain hash. Shapes follow .NET's <c>HMACSHA256.TryHashData</c>.
/// </summary>
public static class Prf
{
    /// <summary>prf(key, data). False when the destination is shorter than the output size.</summary>
    public static bool TryCompute(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data,
        Span<byte> destination, out int bytesWritten)
    {
        using PrfContext prf = new(algorithm, key);
        prf.Append(data);
        return prf.TryFinish(destination, out bytesWritten);
    }

    /// <summary>prf(key, part1 | part2 | part3 | part4); returns the output size.</summary>
    public static int Compute(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> key, Span<byte> destination,
        ReadOnlySpan<byte> part1, ReadOnlySpan<byte> part2 = default, ReadOnlySpan<byte> part3 = default,
        ReadOnlySpan<byte> part4 = default)
    {
        using PrfContext prf = new(algorithm, key);
        prf.Append(part1);
        prf.Append(part2);
        prf.Append(part3);
        prf.Append(part4);
        return prf.Finish(destination);
    }

    /// <summary>hash(data) with the negotiated hash. False when the destination is too short.</summary>
    public static bool TryHash(IkeHashAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> destination,
        out int bytesWritten)
    {
        using HashContext hash = new(algorithm);
        if (destination.Length < hash.OutputSize)
        {
            bytesWritten = 0;
            return false;
        }

        hash.Append(data);
        bytesWritten = hash.Finish(destination);
        return true;
    }
}
