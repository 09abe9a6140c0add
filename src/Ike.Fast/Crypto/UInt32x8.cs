using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto;

// Fixed-size inline storage so hash/PRF/cipher contexts live on the stack or inside their owner: no per-call heap
// allocation. Whoever holds secret data in it clears it (CryptographicOperations.ZeroMemory) when done.

/// <summary>Eight 32-bit words: a SHA-1 (five used) or SHA-256 chaining state.</summary>
[InlineArray(8)]
internal struct UInt32x8
{
    private uint _element0;
}
