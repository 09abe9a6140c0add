using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Ike.Fast.Crypto;

/// <summary>
/// AES-CBC on AES-NI (FIPS 197, SP 800-38A §6.2) with the expanded encryption and decryption round keys held
/// inline: no per-call set-up and no allocation. Decryption uses the equivalent inverse cipher (FIPS 197 §5.3.5):
/// the inner round keys pass through InvMixColumns (AESIMC). All operations are constant-time in the key and data
/// (no tables). Callers check <see cref="IsSupported"/>; <see cref="IkeCbcCipher"/> falls back to .NET otherwise.
/// </summary>
[SkipLocalsInit]
internal struct AesNiCbc
{
    private const int BlockSize = 16;
    private const int MaxRounds = 14;

    private RoundKeys _encrypt;
    private RoundKeys _decrypt;
    private int _rounds;

    internal static bool IsSupported => X86Aes.IsSupported;

    /// <summary>Expands a 16-, 24- or 32-byte key (FIPS 197 §5.2) for both directions.</summary>
    internal void SetKey(ReadOnlySpan<byte> key)
    {
        int nk = key.Length / 4;
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException("AES keys are 16, 24 or 32 bytes.", nameof(key));
        }

        int rounds = nk + 6;
        int words = 4 * (rounds + 1);
        Span<uint> w = stackalloc uint[4 * (MaxRounds + 1)];
        key.CopyTo(MemoryMarshal.AsBytes(w));
        uint rcon = 1;
        for (int i = nk; i < words; i++)
        {
            uint temp = w[i - 1];
            if (i % nk == 0)
            {
                // AESKEYGENASSIST lane 1 = RotWord(SubWord(X1)) ^ imm8; the round constant is XORed here so the
                // immediate stays a constant (words are little-endian, so the Rcon byte is the low byte).
                temp = X86Aes.KeygenAssist(Vector128.Create(0u, temp, 0u, 0u).AsByte(), 0).AsUInt32().GetElement(1) ^ rcon;
                rcon = (rcon << 1) ^ (0x11b & (uint)-(int)(rcon >> 7));
            }
            else if (nk > 6 && i % nk == 4)
            {
                temp = X86Aes.KeygenAssist(Vector128.Create(0u, temp, 0u, 0u).AsByte(), 0).AsUInt32().GetElement(0);
            }

            w[i] = w[i - nk] ^ temp;
        }

        for (int r = 0; r <= rounds; r++)
        {
            _encrypt[r] = Vector128.Create(w[(4 * r)..]).AsByte();
        }

        _decrypt[0] = _encrypt[rounds];
        for (int r = 1; r < rounds; r++)
        {
            _decrypt[r] = X86Aes.InverseMixColumns(_encrypt[rounds - r]);
        }

        _decrypt[rounds] = _encrypt[0];
        _rounds = rounds;
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(w));
    }

    /// <summary>CBC-encrypts whole blocks; <paramref name="iv"/> is updated to the last ciphertext block.</summary>
    internal readonly void Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> iv, Span<byte> ciphertext)
    {
        Vector128<byte> chain = Vector128.Create((ReadOnlySpan<byte>)iv);
        int rounds = _rounds;
        ref readonly RoundKeys k = ref _encrypt;
        for (int offset = 0; offset < plaintext.Length; offset += BlockSize)
        {
            Vector128<byte> x = Vector128.Create(plaintext.Slice(offset, BlockSize)) ^ chain ^ k[0];
            for (int r = 1; r < rounds; r++)
            {
                x = X86Aes.Encrypt(x, k[r]);
            }

            chain = X86Aes.EncryptLast(x, k[rounds]);
            chain.CopyTo(ciphertext.Slice(offset, BlockSize));
        }

        chain.CopyTo(iv);
    }

    /// <summary>CBC-decrypts whole blocks (in place allowed); <paramref name="iv"/> becomes the last ciphertext block.</summary>
    internal readonly void Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> iv, Span<byte> plaintext)
    {
        Vector128<byte> chain = Vector128.Create((ReadOnlySpan<byte>)iv);
        int rounds = _rounds;
        ref readonly RoundKeys k = ref _decrypt;
        int offset = 0;

        // Four independent blocks per iteration keep the AESDEC pipeline busy (CBC decryption is parallel).
        for (; offset + (4 * BlockSize) <= ciphertext.Length; offset += 4 * BlockSize)
        {
            Vector128<byte> c0 = Vector128.Create(ciphertext.Slice(offset, BlockSize));
            Vector128<byte> c1 = Vector128.Create(ciphertext.Slice(offset + 16, BlockSize));
            Vector128<byte> c2 = Vector128.Create(ciphertext.Slice(offset + 32, BlockSize));
            Vector128<byte> c3 = Vector128.Create(ciphertext.Slice(offset + 48, BlockSize));
            Vector128<byte> x0 = c0 ^ k[0], x1 = c1 ^ k[0], x2 = c2 ^ k[0], x3 = c3 ^ k[0];
            for (int r = 1; r < rounds; r++)
            {
                Vector128<byte> rk = k[r];
                x0 = X86Aes.Decrypt(x0, rk);
                x1 = X86Aes.Decrypt(x1, rk);
                x2 = X86Aes.Decrypt(x2, rk);
                x3 = X86Aes.Decrypt(x3, rk);
            }

            Vector128<byte> last = k[rounds];
            (X86Aes.DecryptLast(x0, last) ^ chain).CopyTo(plaintext.Slice(offset, BlockSize));
            (X86Aes.DecryptLast(x1, last) ^ c0).CopyTo(plaintext.Slice(offset + 16, BlockSize));
            (X86Aes.DecryptLast(x2, last) ^ c1).CopyTo(plaintext.Slice(offset + 32, BlockSize));
            (X86Aes.DecryptLast(x3, last) ^ c2).CopyTo(plaintext.Slice(offset + 48, BlockSize));
            chain = c3;
        }

        for (; offset < ciphertext.Length; offset += BlockSize)
        {
            Vector128<byte> c = Vector128.Create(ciphertext.Slice(offset, BlockSize));
            Vector128<byte> x = c ^ k[0];
            for (int r = 1; r < rounds; r++)
            {
                x = X86Aes.Decrypt(x, k[r]);
            }

            (X86Aes.DecryptLast(x, k[rounds]) ^ chain).CopyTo(plaintext.Slice(offset, BlockSize));
            chain = c;
        }

        chain.CopyTo(iv);
    }

    /// <summary>Zeroes the round keys.</summary>
    internal void Clear()
    {
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<byte>>)_encrypt));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<byte>>)_decrypt));
        _rounds = 0;
    }

    [InlineArray(MaxRounds + 1)]
    private struct RoundKeys
    {
        private Vector128<byte> _element0;
    }
}
