namespace Ike.Fast.Crypto.DiffieHellman;

/// <summary>What a <see cref="DhRequest"/> asks for.</summary>
public enum DhOperation : byte
{
    /// <summary>Draw a fresh private value and write our public value (KE payload data).</summary>
    GenerateKeyPair = 1,

    /// <summary>Validate the peer's public value and write the shared secret g^xy; consumes the private key.</summary>
    ComputeShared = 2,
}
