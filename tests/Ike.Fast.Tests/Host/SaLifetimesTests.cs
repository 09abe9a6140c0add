using System.Net;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Host;

public class SaLifetimesTests
{
    private static ChildSaInfo Sa(uint spi, long lifetimeSeconds) => new()
    {
        Connection = "rw",
        Child = "net",
        LocalAddress = IPAddress.Loopback,
        RemoteAddress = IPAddress.Loopback,
        InboundSpi = spi,
        OutboundSpi = spi + 1,
        Encryption = EspTransformId.AesCbc,
        InboundEncryptionKey = [],
        InboundIntegrityKey = [],
        OutboundEncryptionKey = [],
        OutboundIntegrityKey = [],
        LocalTs = TrafficSelector.Dynamic,
        RemoteTs = TrafficSelector.Dynamic,
        LifetimeSeconds = lifetimeSeconds,
    };

    private static readonly ChildConfig Child = new() { Name = "net", RekeyTime = TimeSpan.FromSeconds(100), LifeTime = TimeSpan.FromSeconds(110) };

    [Fact]
    public void InitiatorRekeysThenBothExpire()
    {
        var lifetimes = new SaLifetimes();
        lifetimes.ChildInstalled(Sa(1000, 110), weInitiated: true, Child, now: 0);
        Assert.Equal(99_000, lifetimes.NextDue); // min(rekey 100 s, 90% of 110 s)
        Assert.False(lifetimes.TryTakeDue(98_999, out _));
        Assert.True(lifetimes.TryTakeDue(99_000, out var rekey));
        Assert.Equal((LifetimeAction.RekeyChild, 1000u), (rekey.Action, rekey.InboundSpi));
        Assert.True(lifetimes.TryTakeDue(110_000, out var expire));
        Assert.Equal(LifetimeAction.ExpireChild, expire.Action);
        Assert.Null(lifetimes.NextDue);
    }

    [Fact]
    public void ResponderOnlyExpiresAndShorterNegotiatedLifetimeWins()
    {
        var lifetimes = new SaLifetimes();
        lifetimes.ChildInstalled(Sa(2000, 30), weInitiated: false, Child, now: 1_000);
        Assert.True(lifetimes.TryTakeDue(31_000, out var expire));
        Assert.Equal(LifetimeAction.ExpireChild, expire.Action);
        Assert.False(lifetimes.TryTakeDue(long.MaxValue, out _));
    }

    [Fact]
    public void DeletedSasDropTheirDeadlines()
    {
        var lifetimes = new SaLifetimes();
        lifetimes.ChildInstalled(Sa(3000, 110), weInitiated: true, Child, now: 0);
        lifetimes.Phase1Up("rw", 1, 2, lifetimeSeconds: 50, now: 0);
        lifetimes.ChildDeleted(3000);
        lifetimes.Phase1Down(1, 2);
        Assert.False(lifetimes.TryTakeDue(long.MaxValue, out _));

        lifetimes.Phase1Up("rw", 3, 4, lifetimeSeconds: 50, now: 0);
        Assert.True(lifetimes.TryTakeDue(50_000, out var phase1));
        Assert.Equal((LifetimeAction.ExpirePhase1, 3ul, 4ul), (phase1.Action, phase1.InitiatorCookie, phase1.ResponderCookie));
    }
}
