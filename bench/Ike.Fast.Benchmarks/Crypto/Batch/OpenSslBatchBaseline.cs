using System.Runtime.InteropServices;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// OpenSSL's constant-time Montgomery exponentiation (BN_mod_exp_mont_consttime with a cached BN_MONT_CTX, as
/// its DH code does) through libcrypto.so.3: the baseline the batched tiers are measured against. Benchmark-only.
/// </summary>
internal sealed unsafe partial class OpenSslBatchBaseline : IDisposable
{
    private const string LibCrypto = "libcrypto.so.3";
    private readonly nint _ctx;
    private readonly nint _modulus;
    private readonly nint _mont;
    private readonly nint _base;
    private readonly nint _exponent;
    private readonly nint _result;

    internal OpenSslBatchBaseline(ReadOnlySpan<byte> modulus)
    {
        _ctx = BN_CTX_new();
        _modulus = FromBytes(modulus);
        _mont = BN_MONT_CTX_new();
        if (BN_MONT_CTX_set(_mont, _modulus, _ctx) != 1)
        {
            throw new InvalidOperationException("BN_MONT_CTX_set failed.");
        }

        _base = BN_new();
        _exponent = BN_new();
        _result = BN_new();
    }

    /// <summary>result = base ^ exponent mod m (result is the modulus length).</summary>
    internal void ModPow(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, Span<byte> result)
    {
        fixed (byte* b = @base)
        fixed (byte* e = exponent)
        fixed (byte* r = result)
        {
            BN_bin2bn(b, @base.Length, _base);
            BN_bin2bn(e, exponent.Length, _exponent);
            if (BN_mod_exp_mont_consttime(_result, _base, _exponent, _modulus, _ctx, _mont) != 1)
            {
                throw new InvalidOperationException("BN_mod_exp_mont_consttime failed.");
            }

            BN_bn2binpad(_result, r, result.Length);
        }
    }

    public void Dispose()
    {
        BN_clear_free(_result);
        BN_clear_free(_exponent);
        BN_clear_free(_base);
        BN_MONT_CTX_free(_mont);
        BN_clear_free(_modulus);
        BN_CTX_free(_ctx);
    }

    private static nint FromBytes(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            return BN_bin2bn(p, bytes.Length, 0);
        }
    }

    [LibraryImport(LibCrypto)]
    private static partial nint BN_CTX_new();

    [LibraryImport(LibCrypto)]
    private static partial void BN_CTX_free(nint ctx);

    [LibraryImport(LibCrypto)]
    private static partial nint BN_new();

    [LibraryImport(LibCrypto)]
    private static partial void BN_clear_free(nint bn);

    [LibraryImport(LibCrypto)]
    private static partial nint BN_bin2bn(byte* s, int length, nint ret);

    [LibraryImport(LibCrypto)]
    private static partial int BN_bn2binpad(nint bn, byte* to, int toLength);

    [LibraryImport(LibCrypto)]
    private static partial nint BN_MONT_CTX_new();

    [LibraryImport(LibCrypto)]
    private static partial int BN_MONT_CTX_set(nint mont, nint modulus, nint ctx);

    [LibraryImport(LibCrypto)]
    private static partial void BN_MONT_CTX_free(nint mont);

    [LibraryImport(LibCrypto)]
    private static partial int BN_mod_exp_mont_consttime(nint result, nint @base, nint exponent, nint modulus, nint ctx, nint mont);
}
