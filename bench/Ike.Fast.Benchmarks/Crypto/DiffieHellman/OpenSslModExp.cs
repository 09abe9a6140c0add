using System.Runtime.InteropServices;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// OpenSSL's constant-time Montgomery exponentiation (BN_mod_exp_mont_consttime from libcrypto.so.3) as the
/// reference point for the scalar tier. Benchmark-only: the engine never calls OpenSSL for MODP.
/// All BIGNUMs and the Montgomery context are prepared once; each call is one exponentiation.
/// </summary>
internal sealed unsafe partial class OpenSslModExp : IDisposable
{
    private const string LibCrypto = "libcrypto.so.3";
    private const int BnFlgConstTime = 0x04;

    private readonly IntPtr _ctx;
    private readonly IntPtr _mont;
    private readonly IntPtr _modulus;
    private readonly IntPtr _base;
    private readonly IntPtr _exponent;
    private readonly IntPtr _result;
    private readonly int _length;

    internal OpenSslModExp(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent)
    {
        _length = modulus.Length;
        _ctx = BN_CTX_new();
        _modulus = FromBytes(modulus);
        _base = FromBytes(@base);
        _exponent = FromBytes(exponent);
        BN_set_flags(_exponent, BnFlgConstTime);
        _result = BN_new();
        _mont = BN_MONT_CTX_new();
        if (_ctx == IntPtr.Zero || _mont == IntPtr.Zero || BN_MONT_CTX_set(_mont, _modulus, _ctx) != 1)
        {
            throw new InvalidOperationException("OpenSSL set-up failed.");
        }
    }

    /// <summary>One base^exponent mod p; the result (prime length, big-endian) goes to destination.</summary>
    internal void Run(Span<byte> destination)
    {
        if (BN_mod_exp_mont_consttime(_result, _base, _exponent, _modulus, _ctx, _mont) != 1)
        {
            throw new InvalidOperationException("BN_mod_exp_mont_consttime failed.");
        }

        fixed (byte* d = destination)
        {
            _ = BN_bn2binpad(_result, d, _length);
        }
    }

    public void Dispose()
    {
        BN_MONT_CTX_free(_mont);
        BN_clear_free(_exponent);
        BN_free(_base);
        BN_free(_modulus);
        BN_clear_free(_result);
        BN_CTX_free(_ctx);
    }

    private static IntPtr FromBytes(ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return BN_bin2bn(p, value.Length, IntPtr.Zero);
        }
    }

    [LibraryImport(LibCrypto)]
    private static partial IntPtr BN_CTX_new();

    [LibraryImport(LibCrypto)]
    private static partial void BN_CTX_free(IntPtr ctx);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr BN_new();

    [LibraryImport(LibCrypto)]
    private static partial void BN_free(IntPtr a);

    [LibraryImport(LibCrypto)]
    private static partial void BN_clear_free(IntPtr a);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr BN_bin2bn(byte* s, int len, IntPtr ret);

    [LibraryImport(LibCrypto)]
    private static partial int BN_bn2binpad(IntPtr a, byte* to, int tolen);

    [LibraryImport(LibCrypto)]
    private static partial void BN_set_flags(IntPtr b, int n);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr BN_MONT_CTX_new();

    [LibraryImport(LibCrypto)]
    private static partial void BN_MONT_CTX_free(IntPtr mont);

    [LibraryImport(LibCrypto)]
    private static partial int BN_MONT_CTX_set(IntPtr mont, IntPtr mod, IntPtr ctx);

    [LibraryImport(LibCrypto)]
    private static partial int BN_mod_exp_mont_consttime(IntPtr rr, IntPtr a, IntPtr p, IntPtr m, IntPtr ctx, IntPtr inMont);
}
