using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto;

// Fixed-size inline storage so hash/PRF/cipher contexts live on the stack or inside their owner: no per-call heap
// allocation. Whoever holds secret data in them clears it (CryptographicOperations.ZeroMemory) when done.

/// <summary>Eight 32-bit words: a SHA-1 (five used) or SHA-256 chaining state.</summary>
[InlineArray(8)]
internal struct UInt32x8
{
    private uint _element0;
}

/// <summary>One 64-byte compression block (MD5/SHA-1/SHA-256).</summary>
[InlineArray(64)]
internal struct Bytes64
{
    private byte _element0;
}

/// <summary>One 128-byte block: the largest HMAC key block B (SHA2-384/512, RFC 2104 §2).</summary>
[InlineArray(128)]
internal struct Bytes128
{
    private byte _element0;
}

/// <summary>One cipher block / CBC IV (AES 16 bytes, 3DES 8 bytes).</summary>
[InlineArray(16)]
internal struct Bytes16
{
    private byte _element0;
}
