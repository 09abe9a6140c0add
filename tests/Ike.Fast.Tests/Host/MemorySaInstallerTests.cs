using System.Net;
using Ike.Fast.Host.Installation;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Host;

public class MemorySaInstallerTests
{
    private static ChildSaInfo Sa() => new()
    {
        Connection = "rw",
        Child = "net",
        Protocol = IpsecProtocol.Esp,
        Mode = IpsecMode.Tunnel,
        LocalAddress = IPAddress.Parse("192.0.2.1"),
        RemoteAddress = IPAddress.Parse("192.0.2.2"),
        InboundSpi = 0xc0ffee01,
        OutboundSpi = 0x0badf00d,
        Encryption = EspTransformId.AesCbc,
        EncryptionKeyBits = 128,
        InboundEncryptionKey = [0xaa, 0xaa, 0xaa, 0xaa],
        InboundIntegrityKey = [0xbb, 0xbb],
        OutboundEncryptionKey = [0xcc, 0xcc, 0xcc, 0xcc],
        OutboundIntegrityKey = [0xdd, 0xdd],
        LocalTs = TrafficSelector.Parse("198.51.100.0/24"),
        RemoteTs = TrafficSelector.Parse("203.0.113.0/24"),
    };

    [Fact]
    public void KeysAreLoggedOnlyWithLogSecrets()
    {
        var quiet = new CapturingLogger<MemorySaInstaller>();
        using (var installer = new MemorySaInstaller(quiet))
        {
            installer.Install(Sa());
        }

        var line = Assert.Single(quiet.Lines);
        Assert.Contains("SPI in c0ffee01 out 0badf00d", line, StringComparison.Ordinal);
        Assert.DoesNotContain("aaaaaaaa", line, StringComparison.Ordinal);
        Assert.DoesNotContain("cccccccc", line, StringComparison.Ordinal);

        var loud = new CapturingLogger<MemorySaInstaller>();
        using (var installer = new MemorySaInstaller(loud, logSecrets: true))
        {
            installer.Install(Sa());
        }

        Assert.Equal(2, loud.Lines.Count);
        Assert.Contains("enc aaaaaaaa int bbbb", loud.Lines[1], StringComparison.Ordinal);
        Assert.Contains("enc cccccccc int dddd", loud.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void RecordsInstallsAndDeletesAndKeepsKeysOnlyWhenAsked()
    {
        using var installer = new MemorySaInstaller(new CapturingLogger<MemorySaInstaller>());
        var sa = Sa();
        installer.Install(sa);
        var recorded = Assert.Single(installer.Installed);
        Assert.Equal(("rw", "net", 0xc0ffee01u, 0x0badf00du), (recorded.Connection, recorded.Child, recorded.InboundSpi, recorded.OutboundSpi));
        Assert.Null(recorded.InboundKeys);
        installer.Delete(sa);
        Assert.Empty(installer.Installed);

        using var keeping = new MemorySaInstaller(new CapturingLogger<MemorySaInstaller>(), keepKeys: true);
        keeping.Install(sa);
        var kept = keeping.Installed[0].InboundKeys!;
        Assert.Equal(new byte[] { 0xaa, 0xaa, 0xaa, 0xaa, 0xbb, 0xbb }, kept);
        keeping.Dispose();
        Assert.All(kept, b => Assert.Equal(0, b));
    }

    [Fact]
    public void AllocatedSpisAreUniqueAndOutsideTheReservedRange()
    {
        using var installer = new MemorySaInstaller(new CapturingLogger<MemorySaInstaller>());
        var spis = new HashSet<uint>();
        for (var i = 0; i < 1000; i++)
        {
            var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Loopback, IPAddress.Loopback);
            Assert.True(spi >= 256);
            Assert.True(spis.Add(spi));
        }

        // A released SPI may be handed out again; nothing else changes.
        installer.Release(IpsecProtocol.Esp, spis.First());
    }
}
