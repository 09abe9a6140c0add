using System.Runtime.InteropServices;
using Ike.Fast.Crypto.Batch;

namespace Ike.Native.ModExp;

/// <summary>
/// The native 8-lane AVX-512 IFMA exponentiation (native/src/modexp_ifma.c) for one modulus. The context (modulus
/// constants and scratch) is allocated once here, 64-byte aligned, outside the GC heap; calls allocate nothing.
/// One thread at a time.
/// A call whose bases are all the MODP generator g = 2 (a batch of key pairs: a pool refill) runs on the fixed-base comb
/// (<see cref="IfmaModExpBase"/>, about 5x faster for MODP-2048), built for the batch's exponent length on first use.
/// </summary>
public sealed unsafe class IfmaModExpKernel : IModExpLaneKernel
{
    private const int LaneCount = 8;

    /// <summary>g of every MODP group (RFC 2409 section 6, RFC 3526).</summary>
    private const byte Generator = 2;

    /// <summary>Combs for this many exponent lengths at most (one in practice: the pool's private key length).</summary>
    private const int MaxCombs = 2;

    private void* _context;
    private readonly long _contextLength;
    private readonly byte[] _modulus;
    private readonly IfmaModExpBase?[] _combs = new IfmaModExpBase?[MaxCombs];

    /// <summary>
    /// Prepares a kernel for the odd big-endian <paramref name="modulus"/> (64 to 8192 bits).
    /// <paramref name="fixedBaseComb"/> false keeps every call on the variable-base kernel (the benchmarks' baseline).
    /// </summary>
    public IfmaModExpKernel(ReadOnlySpan<byte> modulus, bool fixedBaseComb = true)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("AVX-512 IFMA (or libikefast_native) is not available.");
        }

        _contextLength = Interop.IkeFastNative.ModExpIfmaContextSize(modulus.Length);
        if (_contextLength < 0)
        {
            throw new ArgumentException("Modulus length out of range (8 to 1024 bytes).", nameof(modulus));
        }

        _context = NativeMemory.AlignedAlloc((nuint)_contextLength, 64);
        int status;
        fixed (byte* m = modulus)
        {
            status = Interop.IkeFastNative.ModExpIfmaInit(_context, _contextLength, m, modulus.Length);
        }

        if (status != Interop.IkeFastNative.ModExpOk)
        {
            NativeMemory.AlignedFree(_context);
            _context = null;
            throw new ArgumentException($"The modulus was refused (status {status}): it must be odd, without a leading zero byte.", nameof(modulus));
        }

        ModulusLength = modulus.Length;
        _modulus = modulus.ToArray();
        FixedBaseComb = fixedBaseComb;
    }

    /// <summary>True when all-generator calls run on the fixed-base comb.</summary>
    public bool FixedBaseComb { get; }

    /// <summary>True when libikefast_native is loaded and the CPU (and OS) support AVX-512 F, VL and IFMA.</summary>
    public static bool IsSupported => NativeLibraryInfo.IsAvailable && Interop.IkeFastNative.ModExpIfmaSupported() == 1;

    /// <summary>The CPU features the native library detects (<see cref="CpuFeatures.None"/> without the library).</summary>
    public static CpuFeatures DetectedCpuFeatures =>
        NativeLibraryInfo.IsAvailable ? (CpuFeatures)Interop.IkeFastNative.CpuFeatures() : CpuFeatures.None;

    /// <inheritdoc/>
    public ModExpTier Tier => ModExpTier.Ifma;

    /// <inheritdoc/>
    public int MaxLanes => LaneCount;

    /// <inheritdoc/>
    public int ModulusLength { get; }

    /// <inheritdoc/>
    public void ModPow(ReadOnlySpan<byte> bases, ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes)
    {
        ObjectDisposedException.ThrowIf(_context is null, this);
        ModExpArguments.Validate(ModulusLength, bases, exponents, exponentLength, results, lanes, LaneCount);
        if (FixedBaseComb && AllGenerator(bases, lanes) && CombFor(exponentLength) is { } comb)
        {
            comb.Pow(exponents, exponentLength, results, lanes);
            return;
        }

        int status;
        fixed (byte* b = bases)
        fixed (byte* e = exponents)
        fixed (byte* r = results)
        {
            status = Interop.IkeFastNative.ModExpIfma8(_context, b, e, exponentLength, r, lanes);
        }

        if (status != Interop.IkeFastNative.ModExpOk)
        {
            throw status == Interop.IkeFastNative.ModExpBase
                ? new ArgumentException("A base is not below the modulus.", nameof(bases))
                : new InvalidOperationException($"IkeFastNative_ModExpIfma8 failed with status {status}.");
        }
    }

    /// <summary>The comb used for all-generator calls with exponents of <paramref name="exponentLength"/> bytes, if built.</summary>
    internal IfmaModExpBase? CombOf(int exponentLength)
    {
        foreach (IfmaModExpBase? comb in _combs)
        {
            if (comb?.ExponentLength == exponentLength)
            {
                return comb;
            }
        }

        return null;
    }

    /// <summary>
    /// The comb for this exponent length, built on first use (a few milliseconds, once per length; a call costs the
    /// work of the table's length, so a comb serves only its own length). Null once <see cref="MaxCombs"/> lengths
    /// have combs: those calls stay on the variable-base kernel.
    /// </summary>
    private IfmaModExpBase? CombFor(int exponentLength)
    {
        if (CombOf(exponentLength) is { } built)
        {
            return built;
        }

        for (int i = 0; i < _combs.Length; i++)
        {
            if (_combs[i] is null)
            {
                return _combs[i] = new IfmaModExpBase(_modulus, [Generator], exponentLength);
            }
        }

        return null;
    }

    /// <summary>Every lane's base is g (bases are public: g or a peer's KE data), so the lanes are key pairs.</summary>
    private bool AllGenerator(ReadOnlySpan<byte> bases, int lanes)
    {
        int len = ModulusLength;
        for (int k = 0; k < lanes; k++)
        {
            ReadOnlySpan<byte> b = bases.Slice(k * len, len);
            if (b[^1] != Generator || b[..^1].IndexOfAnyExcept((byte)0) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Multiplications, table entries read and calls so far (the constant-time test compares them).</summary>
    internal (ulong Multiplications, ulong TableReads, ulong Calls) ReadCounters()
    {
        ObjectDisposedException.ThrowIf(_context is null, this);
        return IfmaWorkCounters.Read(_context, &Interop.IkeFastNative.ModExpIfmaCounters, "IkeFastNative_ModExpIfmaCounters");
    }

    /// <summary>Wipes and frees the native context.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _combs.Length; i++)
        {
            _combs[i]?.Dispose();
            _combs[i] = null;
        }

        if (_context is not null)
        {
            NativeMemory.Clear(_context, (nuint)_contextLength);
            NativeMemory.AlignedFree(_context);
            _context = null;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the context if the owner forgot to dispose.</summary>
    ~IfmaModExpKernel()
    {
        if (_context is not null)
        {
            NativeMemory.Clear(_context, (nuint)_contextLength);
            NativeMemory.AlignedFree(_context);
            _context = null;
        }
    }
}
