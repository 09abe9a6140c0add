namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>14 vectors of 8 lanes (112 limbs of 28 bits).</summary>
internal readonly struct VectorCount14 : IVectorCount
{
    public static int Count => 14;
}
