namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>4 vectors of 8 lanes (32 limbs of 28 bits).</summary>
internal readonly struct VectorCount4 : IVectorCount
{
    public static int Count => 4;
}
