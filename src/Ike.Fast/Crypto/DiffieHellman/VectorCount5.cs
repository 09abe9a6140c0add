namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>5 vectors of 8 lanes (40 limbs of 28 bits).</summary>
internal readonly struct VectorCount5 : IVectorCount
{
    public static int Count => 5;
}
