namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>10 vectors of 8 lanes (80 limbs of 28 bits).</summary>
internal readonly struct VectorCount10 : IVectorCount
{
    public static int Count => 10;
}
