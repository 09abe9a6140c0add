namespace Ike.Fast.Crypto.Batch;

/// <summary>The argument checks every <see cref="IModExpLaneKernel"/> makes (lengths are public; misuse throws).</summary>
public static class ModExpArguments
{
    /// <summary>Throws when the buffers do not match <see cref="IModExpLaneKernel.ModPow"/>'s layout.</summary>
    public static void Validate(
        int modulusLength, ReadOnlySpan<byte> bases, ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results,
        int lanes, int maxLanes)
    {
        if (lanes < 1 || lanes > maxLanes)
        {
            throw new ArgumentOutOfRangeException(nameof(lanes), lanes, $"Between 1 and {maxLanes} lanes.");
        }

        // A DH exponent is never longer than the prime (RFC 2409 section 5); every tier enforces the same bound.
        if (exponentLength < 1 || exponentLength > modulusLength)
        {
            throw new ArgumentOutOfRangeException(nameof(exponentLength), exponentLength, "Between 1 and the modulus length.");
        }

        if (bases.Length < lanes * modulusLength)
        {
            throw new ArgumentException("Too few base bytes for the lanes.", nameof(bases));
        }

        if (exponents.Length < lanes * exponentLength)
        {
            throw new ArgumentException("Too few exponent bytes for the lanes.", nameof(exponents));
        }

        if (results.Length < lanes * modulusLength)
        {
            throw new ArgumentException("Too little room for the results.", nameof(results));
        }
    }
}
