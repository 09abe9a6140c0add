using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Ike.Fast.Host.Metrics;

/// <summary>
/// Serves the <see cref="IkeFastMetrics.MeterName"/> meter in the Prometheus text format on
/// <c>http://ADDR:PORT/metrics</c> when <c>daemon.metrics = "ADDR:PORT"</c> is set, through OpenTelemetry's
/// Prometheus HttpListener exporter (names become e.g. <c>ikefast_handshakes_completed_total</c>). Without the key
/// nothing listens; the meter is still there for <c>dotnet-counters</c>.
/// </summary>
public sealed class MetricsService(IPEndPoint? endpoint, IkeFastMetrics metrics, ILogger<MetricsService> logger)
    : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    /// <summary>The scrape URL, once started with an endpoint configured.</summary>
    public Uri? ScrapeUri { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = metrics; // constructed (instruments registered) before any listener collects
        if (endpoint is null)
        {
            return Task.CompletedTask;
        }

        var prefix = $"http://{Host(endpoint)}:{endpoint.Port}/";
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(IkeFastMetrics.MeterName)
            .AddPrometheusHttpListener(options =>
            {
                options.Host = Host(endpoint);
                options.Port = endpoint.Port;
            })
            .Build();
        ScrapeUri = new Uri(prefix + "metrics");
        logger.LogInformation("metrics: Prometheus endpoint {Uri}", ScrapeUri);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _provider?.Dispose();
        _provider = null;
    }

    private static string Host(IPEndPoint endpoint) =>
        endpoint.Address.Equals(IPAddress.Any) ? "*"
        : endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]"
        : endpoint.Address.ToString();
}
