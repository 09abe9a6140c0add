namespace Ike.Fast.Protocol;

/// <summary>
/// The four key arrays of a <see cref="ChildSaInfo"/> while it has keys (from its Quick Mode until the host has
/// installed it and called <see cref="ChildSaInfo.ClearKeys"/>), in an object of their own that goes back to its
/// endpoint's free list then: an installed pair keeps one reference instead of four arrays and the pool's (40 B, 32 B
/// per IPsec SA less; issue #7).
/// </summary>
internal sealed class ChildSaKeys
{
    /// <summary>Upper bound of an endpoint's free list of these.</summary>
    public const int MaxPooled = 4096;

    public byte[] InboundEncryption = [];

    public byte[] InboundIntegrity = [];

    public byte[] OutboundEncryption = [];

    public byte[] OutboundIntegrity = [];

    /// <summary>The endpoint's array pool the arrays came from (null: a child not made by an endpoint keeps its arrays).</summary>
    public ExactLengthArrayPool? Pool;

    /// <summary>The endpoint's free list this object goes back to.</summary>
    public Stack<ChildSaKeys>? Home;

    /// <summary>Every array back to <see cref="Pool"/> (zeroed by the caller) and this object to <see cref="Home"/>.</summary>
    public void Return()
    {
        Pool!.Return(InboundEncryption);
        Pool.Return(InboundIntegrity);
        Pool.Return(OutboundEncryption);
        Pool.Return(OutboundIntegrity);
        InboundEncryption = InboundIntegrity = OutboundEncryption = OutboundIntegrity = [];
        if (Home is { Count: < MaxPooled } home)
        {
            home.Push(this);
        }
    }
}
