using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto;

// Fixed-size inline storage so hash/PRF/cipher contexts live on the stack or inside their owner: no per-call heap
// allocation. Whoever holds secret data in it clears it (CryptographicOperations.ZeroMemory) when done.

/// <summary>One 128-byte block: the largest HMAC key block B (SHA2-384/512, RFC 2104 §2).</summary>
[InlineArray(128)]
internal struct Bytes128
{
    private byte _element0;
}
