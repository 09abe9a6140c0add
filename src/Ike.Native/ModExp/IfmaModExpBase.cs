using System.Runtime.InteropServices;

namespace Ike.Native.ModExp;

/// <summary>
/// The native fixed-base comb (native/src/modexp_ifma.c, <c>IkeFastNative_ModExpIfmaBase8</c>): eight exponentiations
/// base^x mod m at once for one fixed base (g = 2 for the MODP key pairs), from tables of powers of the base built
/// once here (about 0.3 to 1.3 MiB, a few milliseconds). The work depends on the lengths given here, never on
/// exponent values. The context lives outside the GC heap; calls allocate nothing. One thread at a time.
/// </summary>
public sealed unsafe class IfmaModExpBase : IDisposable
{
    private const int LaneCount = 8;
    private void* _context;
    private readonly long _contextLength;

    /// <summary>
    /// Builds the tables for <paramref name="baseValue"/> (big-endian, below the odd big-endian
    /// <paramref name="modulus"/>) and exponents of up to <paramref name="exponentLength"/> bytes.
    /// <paramref name="teeth"/> (4 to 6) sets the comb; 0 picks the fastest whose table fits in 1 MiB.
    /// </summary>
    public IfmaModExpBase(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> baseValue, int exponentLength, int teeth = 0)
    {
        if (!IfmaModExpKernel.IsSupported)
        {
            throw new PlatformNotSupportedException("AVX-512 IFMA (or libikefast_native) is not available.");
        }

        _contextLength = Interop.IkeFastNative.ModExpIfmaBaseContextSize(modulus.Length, exponentLength, teeth);
        if (_contextLength < 0)
        {
            throw new ArgumentException(
                $"Refused lengths (status {_contextLength}): modulus 8 to 1024 bytes, exponent 1 to the modulus length, teeth 0 or 4 to 6.");
        }

        _context = NativeMemory.AlignedAlloc((nuint)_contextLength, 64);
        int status;
        fixed (byte* m = modulus)
        fixed (byte* b = baseValue)
        {
            status = Interop.IkeFastNative.ModExpIfmaBaseInit(
                _context, _contextLength, m, modulus.Length, b, baseValue.Length, exponentLength, teeth);
        }

        if (status != Interop.IkeFastNative.ModExpOk)
        {
            NativeMemory.AlignedFree(_context);
            _context = null;
            throw new ArgumentException(
                $"The modulus or base was refused (status {status}): the modulus must be odd without a leading zero byte, the base below it.");
        }

        ModulusLength = modulus.Length;
        ExponentLength = exponentLength;
    }

    /// <summary>Lanes per call.</summary>
    public static int MaxLanes => LaneCount;

    /// <summary>Byte length of the modulus and of every result.</summary>
    public int ModulusLength { get; }

    /// <summary>The longest exponent the tables cover (every call costs the work of this length).</summary>
    public int ExponentLength { get; }

    /// <summary>Bytes of the native context (tables included).</summary>
    public long ContextLength => _contextLength;

    /// <summary>
    /// results[k] = base ^ exponents[k] mod m for k &lt; <paramref name="lanes"/>: exponents big-endian of
    /// <paramref name="exponentLength"/> bytes (at most <see cref="ExponentLength"/>), results big-endian of
    /// <see cref="ModulusLength"/> bytes.
    /// </summary>
    public void Pow(ReadOnlySpan<byte> exponents, int exponentLength, Span<byte> results, int lanes)
    {
        ObjectDisposedException.ThrowIf(_context is null, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(exponentLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(exponentLength, ExponentLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lanes, LaneCount);
        if (exponents.Length < lanes * exponentLength)
        {
            throw new ArgumentException("Too few exponent bytes for the lanes.", nameof(exponents));
        }

        if (results.Length < lanes * ModulusLength)
        {
            throw new ArgumentException("Too little room for the results.", nameof(results));
        }

        int status;
        fixed (byte* e = exponents)
        fixed (byte* r = results)
        {
            status = Interop.IkeFastNative.ModExpIfmaBase8(_context, e, exponentLength, r, lanes);
        }

        if (status != Interop.IkeFastNative.ModExpOk)
        {
            throw new InvalidOperationException($"IkeFastNative_ModExpIfmaBase8 failed with status {status}.");
        }
    }

    /// <summary>Multiplications, table entries read and calls so far (the constant-time test compares them).</summary>
    internal (ulong Multiplications, ulong TableReads, ulong Calls) ReadCounters()
    {
        ObjectDisposedException.ThrowIf(_context is null, this);
        return IfmaWorkCounters.Read(_context, &Interop.IkeFastNative.ModExpIfmaBaseCounters, "IkeFastNative_ModExpIfmaBaseCounters");
    }

    /// <summary>Wipes and frees the native context.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the context if the owner forgot to dispose.</summary>
    ~IfmaModExpBase()
    {
        Free();
    }

    private void Free()
    {
        if (_context is not null)
        {
            NativeMemory.Clear(_context, (nuint)_contextLength);
            NativeMemory.AlignedFree(_context);
            _context = null;
        }
    }
}
