namespace Ike.Fast.InteropTests;

/// <summary>The topology for <see cref="PlutoInteropTests"/>.</summary>
public sealed class PlutoTopology : InteropTopology
{
    public PlutoTopology()
        : base(PeerKind.Pluto, 'p')
    {
    }
}
