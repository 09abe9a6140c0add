using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto;

// Fixed-size inline storage so hash/PRF/cipher contexts live on the stack or inside their owner: no per-call heap
// allocation. Whoever holds secret data in it clears it (CryptographicOperations.ZeroMemory) when done.

/// <summary>One cipher block / CBC IV (AES 16 bytes, 3DES 8 bytes).</summary>
[InlineArray(16)]
internal struct Bytes16
{
    private byte _element0;
}
