using System.Runtime.CompilerServices;

namespace Ike.Fast.Crypto.Batch;

/// <summary>One lane in a ulong: the portable body of the managed kernel (and its reference in tests).</summary>
internal readonly struct ScalarLaneMath : ILaneMath<ulong>
{
    public static int Lanes => 1;

    public static bool IsSupported => true;

    public static ulong Zero => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Broadcast(ulong value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MultiplyLow32(ulong left, ulong right) => (ulong)(uint)left * (uint)right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Add(ulong left, ulong right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Subtract(ulong left, ulong right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong And(ulong left, ulong right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ShiftRightLogical(ulong value, int count) => value >> count;

    /// <summary>Branch-free: (d - 1) has its top bit set only for d == 0 (d = left ^ right is below 2^63 here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong EqualsMask(ulong left, ulong right) => 0 - (((left ^ right) - 1) >> 63);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Select(ulong mask, ulong whenTrue, ulong whenFalse) => (mask & whenTrue) | (~mask & whenFalse);
}
