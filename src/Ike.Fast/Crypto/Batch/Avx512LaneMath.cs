using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ike.Fast.Crypto.Batch;

/// <summary>Eight 64-bit lanes in a Vector512; products by vpmuludq (Avx512F.Multiply on uint lanes).</summary>
internal readonly struct Avx512LaneMath : ILaneMath<Vector512<ulong>>
{
    public static int Lanes => 8;

    public static bool IsSupported => Avx512F.IsSupported;

    public static Vector512<ulong> Zero => Vector512<ulong>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Broadcast(ulong value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> MultiplyLow32(Vector512<ulong> left, Vector512<ulong> right) =>
        Avx512F.Multiply(left.AsUInt32(), right.AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Add(Vector512<ulong> left, Vector512<ulong> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Subtract(Vector512<ulong> left, Vector512<ulong> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> And(Vector512<ulong> left, Vector512<ulong> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> ShiftRightLogical(Vector512<ulong> value, int count) => Vector512.ShiftRightLogical(value, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> EqualsMask(Vector512<ulong> left, Vector512<ulong> right) => Vector512.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Select(Vector512<ulong> mask, Vector512<ulong> whenTrue, Vector512<ulong> whenFalse) =>
        Vector512.ConditionalSelect(mask, whenTrue, whenFalse);
}
