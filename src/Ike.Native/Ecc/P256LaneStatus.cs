namespace Ike.Native.Ecc;

/// <summary>Per-lane outcome masks of <see cref="IfmaP256.Multiply"/> (bit k = lane k).</summary>
/// <param name="Infinity">Lanes whose product is the point at infinity (scalar 0 mod n): no shared secret.</param>
/// <param name="InvalidPoint">Lanes whose peer point has a coordinate &gt;= p or is not on the curve.</param>
public readonly record struct P256LaneStatus(int Infinity, int InvalidPoint)
{
    /// <summary>Lanes with either problem: their result bytes are zero and must not be used.</summary>
    public int Failed => Infinity | InvalidPoint;
}
