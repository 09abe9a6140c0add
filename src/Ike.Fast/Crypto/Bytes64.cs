using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto;

// Fixed-size inline storage so hash/PRF/cipher contexts live on the stack or inside their owner: no per-call heap
// allocation. Whoever holds secret data in it clears it (CryptographicOperations.ZeroMemory) when done.

/// <summary>One 64-byte compression block (MD5/SHA-1/SHA-256).</summary>
[InlineArray(64)]
internal struct Bytes64
{
    private byte _element0;
}
