namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// The handful of 64-bit-lane operations the managed kernel needs, so one generic body
/// (<see cref="ManagedModExpKernel{TMath, TVec}"/>) is specialised by the JIT for Vector512, Vector256 and a
/// plain ulong. All operations are branch-free.
/// </summary>
internal interface ILaneMath<TVec>
    where TVec : unmanaged
{
    /// <summary>64-bit lanes per <typeparamref name="TVec"/>.</summary>
    static abstract int Lanes { get; }

    /// <summary>True when the instructions behind this implementation are available.</summary>
    static abstract bool IsSupported { get; }

    static abstract TVec Zero { get; }

    static abstract TVec Broadcast(ulong value);

    /// <summary>Low 32 bits of each lane times low 32 bits of each lane, full 64-bit product (vpmuludq).</summary>
    static abstract TVec MultiplyLow32(TVec left, TVec right);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec And(TVec left, TVec right);

    static abstract TVec ShiftRightLogical(TVec value, int count);

    /// <summary>All ones in lanes where left == right, else zero.</summary>
    static abstract TVec EqualsMask(TVec left, TVec right);

    /// <summary>Per bit: mask ? whenTrue : whenFalse.</summary>
    static abstract TVec Select(TVec mask, TVec whenTrue, TVec whenFalse);
}
