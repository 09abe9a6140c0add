namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// Implementations of the multi-lane modular exponentiation, fastest first in selection order. Every tier gives
/// bit-identical results; they differ only in speed and in what the CPU (or the build) must provide.
/// </summary>
public enum ModExpTier
{
    /// <summary>One exponentiation at a time on 64-bit limbs (no SIMD); runs everywhere.</summary>
    Scalar = 0,

    /// <summary>Managed, Vector256 with 32x32-&gt;64 multiplies (vpmuludq), radix 2^26 limbs, 4 lanes per vector.</summary>
    Avx2 = 1,

    /// <summary>Managed, Vector512 with 32x32-&gt;64 multiplies (vpmuludq), radix 2^26 limbs, 8 lanes per vector.</summary>
    Avx512 = 2,

    /// <summary>Native (libikefast_native), AVX-512 IFMA 52-bit multiply-add, radix 2^52 limbs, 8 lanes.</summary>
    Ifma = 3,
}
