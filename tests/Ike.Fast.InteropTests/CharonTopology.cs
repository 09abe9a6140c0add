namespace Ike.Fast.InteropTests;

/// <summary>The topology for <see cref="CharonInteropTests"/>.</summary>
public sealed class CharonTopology : InteropTopology
{
    public CharonTopology()
        : base(PeerKind.Charon, 'c')
    {
    }
}
