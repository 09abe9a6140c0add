namespace Ike.Fast.InteropTests;

/// <summary>The real IKEv1 implementation in namespace b (the harness's <c>peer_start IMPL</c>).</summary>
public enum PeerKind
{
    /// <summary>strongSwan 5.9.8 charon, driven with swanctl.</summary>
    Charon,

    /// <summary>Libreswan 4.10 pluto, driven with whack.</summary>
    Pluto,
}
