using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Kernel;
using Ike.Native.Xfrm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary>
/// The kernel's SA expiry at daemon level, two daemons over loopback: a soft EXPIRE (what XFRM sends when a soft
/// byte limit, `life_kilobytes` × 90 %, is reached; the event is the same for bytes and seconds) rekeys the pair
/// with a new Quick Mode and the old pair goes on both sides; a hard EXPIRE deletes the pair and tells the peer.
/// The events are fed to <see cref="KernelEventService"/> as the XFRM installer's event thread would queue them.
/// </summary>
public sealed class KernelExpiryDaemonTests
{
    [Fact]
    public async Task SoftExpireRekeysThePair_HardExpireDeletesItOnBothSides()
    {
        await using var pair = new LoopbackPair();
        await pair.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 1 && pair.BInstaller.Installed.Count == 1));
        var first = pair.AInstaller.Installed[0];
        IControlTarget a = pair.A.Services.GetRequiredService<IkeDaemonService>().Sharded!;
        using var events = new KernelEventService(pair.AInstaller, () => a, NullLogger<KernelEventService>.Instance);

        // Soft byte limit of the inbound SA: a new Quick Mode; the old pair stays until the new one is in (make
        // before break), then it is deleted on both sides (after RekeyDeleteDelayMs).
        events.Handle(Event(KernelEventKind.SoftExpire, first.Connection, first.Child, first.InboundSpi));
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Any(s => s.InboundSpi != first.InboundSpi)
                                                       && pair.BInstaller.Installed.Count >= 1));
        var successor = pair.AInstaller.Installed.First(s => s.InboundSpi != first.InboundSpi);
        Assert.True(await LoopbackPair.WaitUntil(() => pair.BInstaller.Installed.Any(s => s.OutboundSpi == successor.InboundSpi)));
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.All(s => s.InboundSpi != first.InboundSpi)
                                                       && pair.BInstaller.Installed.All(s => s.OutboundSpi != first.InboundSpi)));
        Assert.Single(pair.AInstaller.Installed);
        Assert.Single(pair.BInstaller.Installed);

        // Hard limit of the successor: deleted here, and the peer is told (a Delete), so it goes there too.
        events.Handle(Event(KernelEventKind.HardExpire, successor.Connection, successor.Child, successor.InboundSpi));
        Assert.True(await LoopbackPair.WaitUntil(() => pair.AInstaller.Installed.Count == 0 && pair.BInstaller.Installed.Count == 0));
        Assert.Equal(2, events.Handled);
    }

    private static KernelEvent Event(KernelEventKind kind, string connection, string child, uint inboundSpi) =>
        new(kind, XfrmOwnership.ReqIdBase + 1, inboundSpi, XfrmProtocol.Esp, connection, child, inboundSpi, Inbound: true);
}
