namespace Ike.Fast.InteropTests;

/// <summary>The topology for <see cref="LifecycleInteropTests"/> (charon in namespace b, its own prefix).</summary>
public sealed class LifecycleTopology : InteropTopology
{
    public LifecycleTopology()
        : base(PeerKind.Charon, 'l')
    {
    }
}
