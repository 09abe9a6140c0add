using System.Security.Cryptography;

namespace Ike.Fast.Crypto;

/// <summary>
/// The negotiated Phase 1 cipher in CBC mode without padding (ISAKMP pads itself, RFC 2408 §3.1 / RFC 2409
/// Appendix B). The IV is passed in and updated in place to the last ciphertext block, which is exactly the
/// IKEv1 chaining rule: the next message's IV is the last ciphertext block of the previous one (RFC 2409
/// Appendix B). Create one per IKE SA and reuse it; <see cref="SetKey"/> may be called again.
/// <para>
/// AES runs on AES-NI (<see cref="AesNiCbc"/>, no allocation, no per-call set-up) when the CPU has it, otherwise
/// on .NET's <see cref="Aes"/> one-shot span APIs, which is also the path for 3DES (those allocate a small cipher
/// context per call). Single DES is refused at selection time.
/// </para>
/// </summary>
public sealed class IkeCbcCipher : IDisposable
{
    private readonly bool _useAesNi;
    private AesNiCbc _aesNi;
    private SymmetricAlgorithm? _platform;
    private bool _hasKey;
    private bool _disposed;

    private IkeCbcCipher(IkeEncryptionAlgorithm algorithm, int keySize, int blockSize, bool useAesNi)
    {
        Algorithm = algorithm;
        KeySize = keySize;
        BlockSize = blockSize;
        _useAesNi = useAesNi;
        if (!useAesNi)
        {
            _platform = algorithm == IkeEncryptionAlgorithm.AesCbc ? Aes.Create() : TripleDES.Create();
        }
    }

    /// <summary>The algorithm.</summary>
    public IkeEncryptionAlgorithm Algorithm { get; }

    /// <summary>Key size in bytes (the Ka length of RFC 2409 Appendix B).</summary>
    public int KeySize { get; }

    /// <summary>Cipher block size in bytes (also the IV size).</summary>
    public int BlockSize { get; }

    /// <summary>True when the AES-NI path is used.</summary>
    internal bool IsHardwareAccelerated => _useAesNi;

    /// <summary>
    /// Checks the negotiated algorithm and Key Length attribute (bits; 0 = absent) without creating anything.
    /// </summary>
    public static CipherSelectionError Validate(IkeEncryptionAlgorithm algorithm, int keyLengthBits,
        out int keySize, out int blockSize)
    {
        keySize = 0;
        blockSize = 0;
        switch (algorithm)
        {
            case IkeEncryptionAlgorithm.AesCbc:
                // RFC 3602 §5.3: the Key Length attribute MUST be specified for AES in Phase 1.
                if (keyLengthBits is not (128 or 192 or 256))
                {
                    return CipherSelectionError.InvalidKeyLength;
                }

                keySize = keyLengthBits / 8;
                blockSize = 16;
                return CipherSelectionError.None;
            case IkeEncryptionAlgorithm.TripleDesCbc:
                // Fixed-length cipher: a Key Length attribute, if any, must say 192.
                if (keyLengthBits is not (0 or 192))
                {
                    return CipherSelectionError.InvalidKeyLength;
                }

                keySize = 24;
                blockSize = 8;
                return CipherSelectionError.None;
            case IkeEncryptionAlgorithm.DesCbc:
                return CipherSelectionError.WeakAlgorithmRefused;
            default:
                return CipherSelectionError.UnsupportedAlgorithm;
        }
    }

    /// <summary>
    /// Creates the cipher for a negotiated algorithm; on a refused or unknown algorithm returns the reason and a
    /// null cipher (the caller answers NO-PROPOSAL-CHOSEN instead of crashing).
    /// </summary>
    public static CipherSelectionError TryCreate(IkeEncryptionAlgorithm algorithm, int keyLengthBits,
        out IkeCbcCipher? cipher) => TryCreate(algorithm, keyLengthBits, preferHardware: true, out cipher);

    internal static CipherSelectionError TryCreate(IkeEncryptionAlgorithm algorithm, int keyLengthBits,
        bool preferHardware, out IkeCbcCipher? cipher)
    {
        CipherSelectionError error = Validate(algorithm, keyLengthBits, out int keySize, out int blockSize);
        if (error != CipherSelectionError.None)
        {
            cipher = null;
            return error;
        }

        bool aesNi = preferHardware && algorithm == IkeEncryptionAlgorithm.AesCbc && AesNiCbc.IsSupported;
        cipher = new IkeCbcCipher(algorithm, keySize, blockSize, aesNi);
        return CipherSelectionError.None;
    }

    /// <summary>
    /// Installs the key (exactly <see cref="KeySize"/> bytes). False when the platform rejects it (3DES keys with
    /// K1 = K2 or K2 = K3 degenerate to single DES and are refused).
    /// </summary>
    public bool TrySetKey(ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"Key must be {KeySize} bytes.", nameof(key));
        }

        if (_useAesNi)
        {
            _aesNi.SetKey(key);
        }
        else
        {
            try
            {
                _platform!.SetKey(key);
            }
            catch (CryptographicException)
            {
                _hasKey = false;
                return false;
            }
        }

        _hasKey = true;
        return true;
    }

    /// <summary>
    /// CBC-encrypts <paramref name="plaintext"/> (whole blocks, already ISAKMP-padded) into
    /// <paramref name="ciphertext"/> (may be the same memory); <paramref name="iv"/> (BlockSize bytes) is replaced
    /// by the last ciphertext block. False when lengths are not whole blocks or the destination is short.
    /// </summary>
    public bool TryEncrypt(ReadOnlySpan<byte> plaintext, Span<byte> iv, Span<byte> ciphertext)
    {
        if (!CheckArguments(plaintext.Length, iv.Length, ciphertext.Length))
        {
            return false;
        }

        if (_useAesNi)
        {
            _aesNi.Encrypt(plaintext, iv, ciphertext);
        }
        else
        {
            _platform!.EncryptCbc(plaintext, iv, ciphertext, PaddingMode.None);
            ciphertext.Slice(plaintext.Length - BlockSize, BlockSize).CopyTo(iv);
        }

        return true;
    }

    /// <summary>
    /// CBC-decrypts whole blocks into <paramref name="plaintext"/> (may be the same memory); <paramref name="iv"/>
    /// is replaced by the last ciphertext block (the next message's IV).
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> ciphertext, Span<byte> iv, Span<byte> plaintext)
    {
        if (!CheckArguments(ciphertext.Length, iv.Length, plaintext.Length))
        {
            return false;
        }

        if (_useAesNi)
        {
            _aesNi.Decrypt(ciphertext, iv, plaintext);
        }
        else
        {
            // Save the last ciphertext block first: decryption may overwrite it when done in place.
            Span<byte> last = stackalloc byte[16];
            ciphertext.Slice(ciphertext.Length - BlockSize, BlockSize).CopyTo(last);
            _platform!.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.None);
            last[..BlockSize].CopyTo(iv);
        }

        return true;
    }

    /// <summary>
    /// Zeroes the AES-NI key schedule but keeps the object for another key (the protocol engine pools hardware
    /// ciphers per algorithm and key size). False (nothing kept) for the platform path: dispose that one instead.
    /// </summary>
    internal bool TryClearKeyForReuse()
    {
        if (!_useAesNi || _disposed)
        {
            return false;
        }

        _aesNi.Clear();
        _hasKey = false;
        return true;
    }

    /// <summary>Zeroes the key schedule.</summary>
    public void Dispose()
    {
        _aesNi.Clear();
        _platform?.Dispose();
        _platform = null;
        _hasKey = false;
        _disposed = true;
    }

    private bool CheckArguments(int inputLength, int ivLength, int outputLength)
    {
        if (!_hasKey)
        {
            throw new InvalidOperationException("No key set.");
        }

        return inputLength > 0 && inputLength % BlockSize == 0 && ivLength == BlockSize && outputLength >= inputLength;
    }
}
