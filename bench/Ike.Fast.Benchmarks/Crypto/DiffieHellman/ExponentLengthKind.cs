namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>Exponent length of a benchmark case.</summary>
public enum ExponentLengthKind
{
    /// <summary>The group's default short exponent (256 bits for groups 2, 5, 14).</summary>
    Short,

    /// <summary>Full length: the prime's bit length minus one.</summary>
    Full,
}
