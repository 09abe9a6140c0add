namespace Ike.Fast.InteropTests;

/// <summary>The topology for <see cref="RoadWarriorInteropTests"/> (charon in namespace b, its own prefix).</summary>
public sealed class RoadWarriorTopology : InteropTopology
{
    public RoadWarriorTopology()
        : base(PeerKind.Charon, 'r')
    {
    }
}
