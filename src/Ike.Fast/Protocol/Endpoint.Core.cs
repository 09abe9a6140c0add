using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;

namespace Ike.Fast.Protocol;

public sealed partial class Endpoint
{
    private readonly List<PeerConfig> _connections;
    private readonly ISecretStore _secrets;
    private readonly IDhEngine _dh;
    private readonly IEngineRandom _random;
    private readonly ISpiAllocator _spis;
    private readonly Queue<EngineEvent> _events = new();
    private readonly Dictionary<(ulong, ulong), object> _saByCookies = [];
    private readonly Dictionary<ulong, object> _halfOpenInitiator = [];

    private bool StartInitiator(PeerConfig connection, ChildConfig? child, long now) => false;

    private void HandleDatagram(long now, IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> datagram)
    {
    }

    private void RunTimers(long now)
    {
    }

    private long? NextDeadline() => null;

    private bool DequeueTransmit(Span<byte> buffer, out Transmit transmit)
    {
        transmit = default;
        return false;
    }

    private bool DeleteIkeSa(ulong i, ulong r, long now, bool notifyPeer) => false;

    private bool DeleteChild(uint spi, long now) => false;
}
