using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Kernel;

/// <summary>The kernel branch's registrations in <see cref="IkeFastHost.Build"/>: installer choice, kernel events,
/// metrics, systemd integration.</summary>
public static class KernelServices
{
    public static void Add(IServiceCollection services, IkeFastConfiguration configuration)
    {
        services.AddSingleton<ISaInstaller>(provider => SaInstallerChoice.Create(provider, configuration));
        services.AddSingleton(provider => new KernelEventService(provider.GetRequiredService<ISaInstaller>(),
            () => provider.GetRequiredService<IkeDaemonService>().Sharded, provider.GetRequiredService<ILogger<KernelEventService>>()));
        services.AddHostedService(provider => provider.GetRequiredService<KernelEventService>());
        services.AddSingleton(provider => IkeFastMetrics.OverShards(() => provider.GetRequiredService<IkeDaemonService>().Sharded,
            provider.GetRequiredService<SaRegistry>()));
        services.AddSingleton(provider => new MetricsService(configuration.Daemon.Metrics, provider.GetRequiredService<IkeFastMetrics>(),
            provider.GetRequiredService<ILogger<MetricsService>>()));
        services.AddHostedService(provider => provider.GetRequiredService<MetricsService>());

        // sd_notify READY/STOPPING and journald-friendly log lines when run by systemd (Type=notify); a no-op otherwise.
        services.AddSystemd();
    }
}
