using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Installation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Ike.Fast.Host.Daemon;

/// <summary>
/// Builds the generic host for <c>ikefast serve</c>: console logging (one line per event), the daemon service, the
/// in-memory SA installer and the SA registry. An empty builder: no appsettings.json or DOTNET_ variables are read
/// behind the user's back; the IkeFast configuration is loaded (and validated) before the host exists.
/// </summary>
public static class IkeFastHost
{
    /// <param name="logging">Replaces the console logger (tests: no output, or a capturing provider).</param>
    /// <param name="services">Runs after the defaults: a later registration (e.g. another <see cref="MemorySaInstaller"/>) wins.</param>
    public static IHost Build(IkeFastConfiguration configuration, DaemonOptions options, LogLevel minimumLevel = LogLevel.Information,
        Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null,
        Func<IkeFastConfiguration>? reloader = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(minimumLevel);
        // The generic host's own lines (content root, environment) say nothing about IKE; the daemon logs start and stop.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
                console.UseUtcTimestamp = true;
                console.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(provider => new SaRegistry(provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(provider => new MemorySaInstaller(
            provider.GetRequiredService<ILogger<MemorySaInstaller>>(), options.LogSecrets));
        // Kernel/ (kernel branch): daemon.installer picks XFRM or memory; kernel events, metrics, systemd.
        Kernel.KernelServices.Add(builder.Services, configuration);
        builder.Services.AddSingleton(provider => new IkeDaemonService(
            configuration,
            provider.GetRequiredService<ISaInstaller>(),
            provider.GetRequiredService<SaRegistry>(),
            options,
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IHostApplicationLifetime>(),
            reloader: reloader));
        builder.Services.AddHostedService(provider => provider.GetRequiredService<IkeDaemonService>());
        services?.Invoke(builder.Services);
        return builder.Build();
    }
}
