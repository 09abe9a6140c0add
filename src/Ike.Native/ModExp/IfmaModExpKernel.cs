using System.Runtime.InteropServices;
using Ike.Fast.Crypto.Batch;

namespace Ike.Native.ModExp;

/// <summary>
/// The native 8-lane AVX-512 IFMA exponentiation (native/src/modexp_ifma.c) for one modulus. The context (modulus
/// constants and scratch) is allocated once here, 64-byte aligned, outside the GC heap; calls allocate nothing.
/// One thread at a time.
/// </summary>
public sealed unsafe class IfmaModExpKernel : IModExpLaneKernel
{
    private const int LaneCount = 8;
    private void* _context;
    private readonly long _contextLength;

    /// <summary>Prepares a kernel for the odd big-endian <paramref name="modulus"/> (64 to 8192 bits).</summary>
    public IfmaModExpKernel(ReadOnlySpan<byte> modulus)
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
    }

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

    /// <summary>Multiplications, table entries read and calls so far (the constant-time test compares them).</summary>
    internal (ulong Multiplications, ulong TableReads, ulong Calls) ReadCounters()
    {
        ObjectDisposedException.ThrowIf(_context is null, this);
        ulong* counters = stackalloc ulong[Interop.IkeFastNative.CounterCount];
        int copied = Interop.IkeFastNative.ModExpIfmaCounters(_context, counters, Interop.IkeFastNative.CounterCount);
        if (copied != Interop.IkeFastNative.CounterCount)
        {
            throw new InvalidOperationException($"IkeFastNative_ModExpIfmaCounters returned {copied}.");
        }

        return (counters[Interop.IkeFastNative.CounterMultiplications],
            counters[Interop.IkeFastNative.CounterTableReads],
            counters[Interop.IkeFastNative.CounterCalls]);
    }

    /// <summary>Wipes and frees the native context.</summary>
    public void Dispose()
    {
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
