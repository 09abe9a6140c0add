using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ike.Fast.Crypto.Batch;

/// <summary>Four 64-bit lanes in a Vector256; products by vpmuludq (Avx2.Multiply on uint lanes).</summary>
internal readonly struct Avx2LaneMath : ILaneMath<Vector256<ulong>>
{
    public static int Lanes => 4;

    public static bool IsSupported => Avx2.IsSupported;

    public static Vector256<ulong> Zero => Vector256<ulong>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Broadcast(ulong value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> MultiplyLow32(Vector256<ulong> left, Vector256<ulong> right) =>
        Avx2.Multiply(left.AsUInt32(), right.AsUInt32());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Add(Vector256<ulong> left, Vector256<ulong> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Subtract(Vector256<ulong> left, Vector256<ulong> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> And(Vector256<ulong> left, Vector256<ulong> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> ShiftRightLogical(Vector256<ulong> value, int count) => Vector256.ShiftRightLogical(value, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> EqualsMask(Vector256<ulong> left, Vector256<ulong> right) => Vector256.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Select(Vector256<ulong> mask, Vector256<ulong> whenTrue, Vector256<ulong> whenFalse) =>
        Vector256.ConditionalSelect(mask, whenTrue, whenFalse);
}
