using Ike.Fast.Policy;

namespace Ike.Fast.Tests.Config;

/// <summary>The swanctl keys of the road-warrior features: encap, dpd_delay, dpd_timeout, dpd_action.</summary>
public sealed class RoadWarriorConfigurationTests
{
    [Fact]
    public void EncapAndDpdKeysAreRead()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk(connection:
            ", \"encap\": \"yes\", \"dpd_delay\": \"30s\", \"dpd_timeout\": \"90s\", \"dpd_action\": \"restart\""));
        PeerConfig c = Assert.Single(config.Connections);
        Assert.True(c.ForceEncapsulation);
        Assert.Equal(TimeSpan.FromSeconds(30), c.DpdDelay);
        Assert.Equal(TimeSpan.FromSeconds(90), c.DpdTimeout);
        Assert.Equal(DpdAction.Restart, c.DpdAction);
    }

    [Fact]
    public void DefaultsAreNoEncapNoDpdProbesClear()
    {
        using var dir = new TempConfigDirectory();
        using var config = dir.Load(ConfigText.Psk());
        PeerConfig c = Assert.Single(config.Connections);
        Assert.False(c.ForceEncapsulation);
        Assert.Equal(TimeSpan.Zero, c.DpdDelay);
        Assert.Equal(DpdAction.Clear, c.DpdAction);
    }
}
