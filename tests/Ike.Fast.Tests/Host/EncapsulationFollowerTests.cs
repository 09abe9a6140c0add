using System.Net;
using Ike.Fast.Host.Installation;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Tests.Host.Kernel;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host;

/// <summary>PeerEndpointChanged in the host: encapsulated pairs follow the peer's new NAT mapping.</summary>
public class EncapsulationFollowerTests
{
    private const ulong Icookie = 0x1111;
    private const ulong Rcookie = 0x2222;

    private static Ike.Fast.Protocol.IkeSaStatus Ike(params ChildSaInfo[] children) => new("gw", Icookie, Rcookie, false, ExchangeMode.Main,
        "Established", new IPEndPoint(IPAddress.Parse("192.0.2.1"), 4500), new IPEndPoint(IPAddress.Parse("198.51.100.2"), 31000), null, null,
        3600, 0, 0, children, 0);

    private static EngineEvent Moved(string address, int port) => new()
    {
        Kind = EngineEventKind.PeerEndpointChanged,
        InitiatorCookie = Icookie,
        ResponderCookie = Rcookie,
        Peer = new IPEndPoint(IPAddress.Parse(address), port),
    };

    [Fact]
    public void PortMoved_EncapsulatedPairUpdatedInPlace_MemoryInstallerRecordsIt()
    {
        using var installer = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        var rekeyed = new List<uint>();
        ChildSaInfo sa = KernelTestData.Encapsulated(keysCleared: true);
        Assert.Equal(1, EncapsulationFollower.Follow(Moved("198.51.100.2", 31001), [Ike(sa)], installer, spi => { rekeyed.Add(spi); return true; }));
        Assert.Equal((sa.InboundSpi, 4500, 31001), Assert.Single(installer.EncapsulationUpdates));
        Assert.Empty(rekeyed);
    }

    [Fact]
    public void AddressMoved_PairRekeyed_NotUpdated()
    {
        using var installer = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        var rekeyed = new List<uint>();
        ChildSaInfo sa = KernelTestData.Encapsulated(keysCleared: true);
        EncapsulationFollower.Follow(Moved("203.0.113.9", 40000), [Ike(sa)], installer, spi => { rekeyed.Add(spi); return true; });
        Assert.Empty(installer.EncapsulationUpdates);
        Assert.Equal(sa.InboundSpi, Assert.Single(rekeyed));
    }

    [Fact]
    public void NotEncapsulatedOrOtherIsakmpSa_NothingHappens()
    {
        using var installer = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        Assert.Equal(0, EncapsulationFollower.Follow(Moved("198.51.100.2", 31001), [Ike(KernelTestData.Tunnel())], installer, _ => true));
        var other = new EngineEvent { Kind = EngineEventKind.PeerEndpointChanged, InitiatorCookie = 9, ResponderCookie = 9, Peer = new IPEndPoint(IPAddress.Loopback, 1) };
        Assert.Equal(0, EncapsulationFollower.Follow(other, [Ike(KernelTestData.Encapsulated())], installer, _ => true));
        Assert.Empty(installer.EncapsulationUpdates);
    }
}
