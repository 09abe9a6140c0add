using System.Net;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Kernel;
using Ike.Fast.Tests.Config;
using Ike.Fast.Tests.Native.Xfrm;
using Ike.Native.Xfrm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary>
/// Two in-process daemons over loopback; a's SAs go to the kernel (XFRM in a throw-away namespace), b's to memory.
/// On this kernel (no ESP) a's install is refused: the kernel event path must delete the pair and tell b, whose
/// IPsec SA then goes away too. On a kernel with ESP the pair is simply installed.
/// </summary>
public sealed class XfrmDaemonTests : IClassFixture<XfrmNamespace>
{
    private readonly XfrmNamespace _ns;

    public XfrmDaemonTests(XfrmNamespace ns)
    {
        _ns = ns;
    }

    [RootFact]
    public async Task RefusedInstallIsDeletedAndThePeerIsTold()
    {
        using var dir = new TempConfigDirectory();
        var bAddress = IPAddress.Parse("127.0.0.2");
        var a = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        var b = new IPEndPoint(bAddress, HostTestConfig.FreeUdpPort(bAddress));
        using var aConfig = HostTestConfig.Side(dir, "a", a, b, initiate: true, "198.51.100.0/24", "203.0.113.0/24", TestSocketPath.Create());
        using var bConfig = HostTestConfig.Side(dir, "b", b, a, initiate: false, "203.0.113.0/24", "198.51.100.0/24", TestSocketPath.Create());
        Assert.Equal(XfrmStatus.Success, XfrmSaInstaller.TryOpen(new XfrmInstallerOptions { NetworkNamespacePath = _ns.Path },
            NullLogger.Instance, null, out var xfrm));
        using var kernel = xfrm!;
        using var memory = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        using var aHost = IkeFastHost.Build(aConfig, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders(),
            services => services.AddSingleton<ISaInstaller>(kernel));
        using var bHost = IkeFastHost.Build(bConfig, new DaemonOptions(), LogLevel.Warning, logging => logging.ClearProviders(),
            services => services.AddSingleton(memory));
        await bHost.StartAsync();
        await aHost.StartAsync();
        try
        {
            var bDaemon = bHost.Services.GetRequiredService<IkeDaemonService>().Sharded!; // all shards (a's one depends on the seed)
            var bRegistry = bHost.Services.GetRequiredService<SaRegistry>();
            var events = aHost.Services.GetRequiredService<KernelEventService>();
            Assert.True(await LoopbackPair.WaitUntil(() => kernel.Owned.Count == 1 || events.Handled > 0));
            if (kernel.Owned.Count == 1)
            {
                Assert.Contains("dir fwd", _ns.Ip("xfrm", "policy"), StringComparison.Ordinal);
                return;
            }

            // b completed its Quick Mode, then removed the pair when a's Delete arrived.
            Assert.True(await LoopbackPair.WaitUntil(() => bDaemon.Counters.ChildSasEstablished == 1 && bRegistry.ChildCount == 0
                && memory.Installed.Count == 0));
            Assert.Equal("", _ns.Ip("xfrm", "policy").Trim());
        }
        finally
        {
            await aHost.StopAsync();
            await bHost.StopAsync();
        }
    }
}
