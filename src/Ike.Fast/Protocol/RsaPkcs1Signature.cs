using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ike.Fast.Protocol;

/// <summary>
/// IKEv1 RSA signatures (RFC 2409 §5.1): the PKCS#1 v1.5 block type 1 encoding of the raw HASH_I/HASH_R, without the
/// ASN.1 DigestInfo that <see cref="RSA.SignHash(byte[], HashAlgorithmName, RSASignaturePadding)"/> would add (what
/// strongSwan calls SIGN_RSA_EMSA_PKCS1_NULL). .NET has no API for that, so signing uses OpenSSL's EVP_PKEY_sign
/// with PKCS#1 padding and no digest (OpenSSL blinds the private operation); verification is the public operation
/// and a comparison with the expected encoding.
/// </summary>
internal static partial class RsaPkcs1Signature
{
    private const string LibCrypto = "libcrypto.so.3";
    private const int RsaPkcs1Padding = 1;

    /// <summary>Signs <paramref name="hash"/>; returns the signature (modulus length) or null when the platform cannot.</summary>
    public static byte[]? Sign(RSA key, ReadOnlySpan<byte> hash)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (key is RSAOpenSsl openSsl)
        {
            return SignOpenSsl(openSsl, hash);
        }

        // Keys that are not OpenSSL-backed (e.g. imported from PKCS#12 into another implementation): copy once.
        RSAParameters p = key.ExportParameters(includePrivateParameters: true);
        try
        {
            using var copy = new RSAOpenSsl(p);
            return SignOpenSsl(copy, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p.D);
            CryptographicOperations.ZeroMemory(p.P);
            CryptographicOperations.ZeroMemory(p.Q);
            CryptographicOperations.ZeroMemory(p.DP);
            CryptographicOperations.ZeroMemory(p.DQ);
            CryptographicOperations.ZeroMemory(p.InverseQ);
        }
    }

    /// <summary>Checks a signature: s^e mod n must be 00 01 FF..FF 00 || hash (public data only).</summary>
    public static bool Verify(RSA publicKey, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        RSAParameters p = publicKey.ExportParameters(includePrivateParameters: false);
        int k = p.Modulus!.Length;
        if (signature.Length != k || hash.Length + 11 > k)
        {
            return false;
        }

        var n = new BigInteger(p.Modulus, isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (s >= n)
        {
            return false;
        }

        BigInteger m = BigInteger.ModPow(s, new BigInteger(p.Exponent, isUnsigned: true, isBigEndian: true), n);
        byte[] em = new byte[k];
        if (!m.TryWriteBytes(em.AsSpan(k - m.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true))
        {
            return false;
        }

        byte[] expected = new byte[k];
        expected[1] = 0x01;
        expected.AsSpan(2, k - hash.Length - 3).Fill(0xff);
        hash.CopyTo(expected.AsSpan(k - hash.Length));
        return CryptographicOperations.FixedTimeEquals(em, expected);
    }

    /// <summary>
    /// The same check as <see cref="Verify(RSA, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> through OpenSSL: EVP_PKEY_verify
    /// with PKCS#1 padding and no digest recovers s^e mod n, checks the type 1 block (00 01 FF..FF 00) and compares the
    /// rest with <paramref name="hash"/> (length included). No managed allocation.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static unsafe bool VerifyOpenSsl(SafeEvpPKeyHandle key, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (signature.IsEmpty || hash.IsEmpty)
        {
            return false;
        }

        nint ctx = EVP_PKEY_CTX_new(key.DangerousGetHandle(), 0);
        if (ctx == 0)
        {
            return false;
        }

        try
        {
            fixed (byte* sig = signature)
            fixed (byte* tbs = hash)
            {
                bool ok = EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RsaPkcs1Padding) == 1 &&
                    EVP_PKEY_verify(ctx, sig, (nuint)signature.Length, tbs, (nuint)hash.Length) == 1;
                if (!ok)
                {
                    ERR_clear_error(); // a failed check leaves errors on this thread's OpenSSL queue
                }

                return ok;
            }
        }
        finally
        {
            EVP_PKEY_CTX_free(ctx);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static byte[]? SignOpenSsl(RSAOpenSsl key, ReadOnlySpan<byte> hash)
    {
        using SafeEvpPKeyHandle pkey = key.DuplicateKeyHandle();
        return Sign(pkey, key.KeySize / 8, hash);
    }

    /// <summary>
    /// Signs with an OpenSSL private key handle kept by the caller (no key duplication per signature);
    /// <paramref name="modulusLength"/> is the key's size in bytes.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static unsafe byte[]? Sign(SafeEvpPKeyHandle pkey, int modulusLength, ReadOnlySpan<byte> hash)
    {
        ArgumentNullException.ThrowIfNull(pkey);
        nint ctx = EVP_PKEY_CTX_new(pkey.DangerousGetHandle(), 0);
        if (ctx == 0)
        {
            return null;
        }

        try
        {
            byte[] signature = new byte[modulusLength];
            nuint length = (nuint)signature.Length;
            fixed (byte* sig = signature)
            fixed (byte* tbs = hash)
            {
                if (EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx, RsaPkcs1Padding) != 1 ||
                    EVP_PKEY_sign(ctx, sig, &length, tbs, (nuint)hash.Length) != 1)
                {
                    return null;
                }
            }

            return length == (nuint)signature.Length ? signature : signature[..(int)length];
        }
        finally
        {
            EVP_PKEY_CTX_free(ctx);
        }
    }

    [LibraryImport(LibCrypto)]
    private static partial nint EVP_PKEY_CTX_new(nint pkey, nint engine);

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_sign_init(nint ctx);

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_CTX_set_rsa_padding(nint ctx, int padding);

    [LibraryImport(LibCrypto)]
    private static unsafe partial int EVP_PKEY_sign(nint ctx, byte* sig, nuint* siglen, byte* tbs, nuint tbslen);

    [LibraryImport(LibCrypto)]
    private static partial void EVP_PKEY_CTX_free(nint ctx);

    [LibraryImport(LibCrypto)]
    private static partial int EVP_PKEY_verify_init(nint ctx);

    [LibraryImport(LibCrypto)]
    private static unsafe partial int EVP_PKEY_verify(nint ctx, byte* sig, nuint siglen, byte* tbs, nuint tbslen);

    [LibraryImport(LibCrypto)]
    private static partial void ERR_clear_error();
}
