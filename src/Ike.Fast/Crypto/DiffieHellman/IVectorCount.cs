namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>
/// Compile-time vector count for <see cref="VectorMontgomeryArithmetic"/>: a generic instantiation per prime
/// size lets the JIT keep the whole accumulator in zmm registers (dead lanes fold away as constants).
/// </summary>
internal interface IVectorCount
{
    static abstract int Count { get; }
}
