using System.Runtime.InteropServices;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// OpenSSL's constant-time Montgomery exponentiation (BN_mod_exp_mont_consttime from libcrypto.so.3 with a cached
/// BN_MONT_CTX, as its DH code does): the one OpenSSL BIGNUM baseline of the benchmark project (scalar tier and
/// batched tiers). Benchmark-only: the engine never calls OpenSSL for MODP. The modulus and Montgomery context are
/// prepared once; each <see cref="ModPow"/> is one exponentiation (plus two cheap bin2bn conversions).
/// </summary>
internal sealed unsafe partial class OpenSslModExp : IDisposable
{
    private const string LibCrypto = "libcrypto.so.3";
    private const int BnFlgConstTime = 0x04;

    private readonly nint _ctx;
    private readonly nint _mont;
    private readonly nint _modulus;
    private readonly nint _base;
    private readonly nint _exponent;
    private readonly nint _result;
    private readonly nint _base2;
    private readonly nint _exponent2;
    private readonly nint _result2;

    internal OpenSslModExp(ReadOnlySpan<byte> modulus)
    {
        _ctx = BN_CTX_new();
        _modulus = FromBytes(modulus);
        _base = BN_new();
        _exponent = BN_new();
        _result = BN_new();
        _base2 = BN_new();
        _exponent2 = BN_new();
        _result2 = BN_new();
        _mont = BN_MONT_CTX_new();
        if (_ctx == 0 || _mont == 0 || BN_MONT_CTX_set(_mont, _modulus, _ctx) != 1)
        {
            throw new InvalidOperationException("OpenSSL set-up failed.");
        }
    }

    /// <summary>result = base ^ exponent mod m, big-endian, left-padded to result's length (the modulus length).</summary>
    internal void ModPow(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, Span<byte> result)
    {
        fixed (byte* b = @base)
        fixed (byte* e = exponent)
        fixed (byte* r = result)
        {
            BN_bin2bn(b, @base.Length, _base);
            BN_bin2bn(e, exponent.Length, _exponent);
            BN_set_flags(_exponent, BnFlgConstTime);
            if (BN_mod_exp_mont_consttime(_result, _base, _exponent, _modulus, _ctx, _mont) != 1)
            {
                throw new InvalidOperationException("BN_mod_exp_mont_consttime failed.");
            }

            _ = BN_bn2binpad(_result, r, result.Length);
        }
    }

    /// <summary>
    /// Two exponentiations in one BN_mod_exp_mont_consttime_x2 call (OpenSSL 3's two-way AVX-512 IFMA routine for
    /// RSA CRT halves; it falls back to two ordinary calls for moduli it has no code for).
    /// </summary>
    internal void ModPow2(
        ReadOnlySpan<byte> base1, ReadOnlySpan<byte> exponent1, Span<byte> result1,
        ReadOnlySpan<byte> base2, ReadOnlySpan<byte> exponent2, Span<byte> result2)
    {
        fixed (byte* b1 = base1)
        fixed (byte* e1 = exponent1)
        fixed (byte* r1 = result1)
        fixed (byte* b2 = base2)
        fixed (byte* e2 = exponent2)
        fixed (byte* r2 = result2)
        {
            BN_bin2bn(b1, base1.Length, _base);
            BN_bin2bn(e1, exponent1.Length, _exponent);
            BN_set_flags(_exponent, BnFlgConstTime);
            BN_bin2bn(b2, base2.Length, _base2);
            BN_bin2bn(e2, exponent2.Length, _exponent2);
            BN_set_flags(_exponent2, BnFlgConstTime);
            if (BN_mod_exp_mont_consttime_x2(_result, _base, _exponent, _modulus, _mont, _result2, _base2, _exponent2, _modulus, _mont, _ctx) != 1)
            {
                throw new InvalidOperationException("BN_mod_exp_mont_consttime_x2 failed.");
            }

            _ = BN_bn2binpad(_result, r1, result1.Length);
            _ = BN_bn2binpad(_result2, r2, result2.Length);
        }
    }

    public void Dispose()
    {
        BN_MONT_CTX_free(_mont);
        BN_clear_free(_exponent);
        BN_clear_free(_base);
        BN_free(_modulus);
        BN_clear_free(_result);
        BN_clear_free(_exponent2);
        BN_clear_free(_base2);
        BN_clear_free(_result2);
        BN_CTX_free(_ctx);
    }

    private static nint FromBytes(ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return BN_bin2bn(p, value.Length, 0);
        }
    }

    [LibraryImport(LibCrypto)]
    private static partial nint BN_CTX_new();

    [LibraryImport(LibCrypto)]
    private static partial void BN_CTX_free(nint ctx);

    [LibraryImport(LibCrypto)]
    private static partial nint BN_new();

    [LibraryImport(LibCrypto)]
    private static partial void BN_free(nint a);

    [LibraryImport(LibCrypto)]
    private static partial void BN_clear_free(nint a);

    [LibraryImport(LibCrypto)]
    private static partial nint BN_bin2bn(byte* s, int len, nint ret);

    [LibraryImport(LibCrypto)]
    private static partial int BN_bn2binpad(nint a, byte* to, int tolen);

    [LibraryImport(LibCrypto)]
    private static partial void BN_set_flags(nint b, int n);

    [LibraryImport(LibCrypto)]
    private static partial nint BN_MONT_CTX_new();

    [LibraryImport(LibCrypto)]
    private static partial void BN_MONT_CTX_free(nint mont);

    [LibraryImport(LibCrypto)]
    private static partial int BN_MONT_CTX_set(nint mont, nint mod, nint ctx);

    [LibraryImport(LibCrypto)]
    private static partial int BN_mod_exp_mont_consttime(nint rr, nint a, nint p, nint m, nint ctx, nint inMont);

    [LibraryImport(LibCrypto)]
    private static partial int BN_mod_exp_mont_consttime_x2(
        nint rr1, nint a1, nint p1, nint m1, nint inMont1, nint rr2, nint a2, nint p2, nint m2, nint inMont2, nint ctx);
}
