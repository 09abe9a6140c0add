namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>7 vectors of 8 lanes (56 limbs of 28 bits).</summary>
internal readonly struct VectorCount7 : IVectorCount
{
    public static int Count => 7;
}
