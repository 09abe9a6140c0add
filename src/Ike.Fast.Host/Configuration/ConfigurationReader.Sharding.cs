using Ike.Fast.Host.Sharding;
using Microsoft.Extensions.Configuration;

namespace Ike.Fast.Host.Configuration;

/// <summary>The daemon's sharding and admission keys (Sharding/, Admission/; documented in the Host README).</summary>
internal sealed partial class ConfigurationReader
{
    private ShardingSettings ReadSharding(IConfigurationSection daemon)
    {
        var steering = ShardingSettings.Default.Steering;
        var steeringSection = daemon.GetSection(ConfigurationKeys.Steering);
        switch (steeringSection.Value?.Trim().ToLowerInvariant())
        {
            case null or "":
                break;
            case "reuseport":
                steering = SteeringMode.ReusePort;
                break;
            case "dispatcher":
                steering = SteeringMode.Dispatcher;
                break;
            default:
                Error(steeringSection.Path, $"unknown steering '{steeringSection.Value}' (expected reuseport or dispatcher)");
                break;
        }

        // "auto" (the default) and 0 both mean one shard per core.
        var shards = daemon.GetSection(ConfigurationKeys.Shards);
        var shardCount = string.Equals(shards.Value?.Trim(), "auto", StringComparison.OrdinalIgnoreCase)
            ? 0
            : ReadInt(shards, ShardingSettings.Default.Shards, 0, 64);
        return new ShardingSettings(
            shardCount,
            steering,
            ReadInt(daemon.GetSection(ConfigurationKeys.BatchSize), ShardingSettings.Default.BatchSize, 1, 64),
            ReadBool(daemon.GetSection(ConfigurationKeys.BatchedIo), true));
    }

    private AdmissionSettings ReadAdmission(IConfigurationSection section)
    {
        CheckKeys(section, ConfigurationKeys.AdmissionKeys);
        var d = AdmissionSettings.Default;
        var timeout = section.GetSection("half_open_timeout");
        return new AdmissionSettings(
            ReadBool(section.GetSection("enabled"), d.Enabled),
            ReadInt(section.GetSection("rate"), d.Rate, 0, 10_000_000),
            ReadInt(section.GetSection("burst"), d.Burst, 0, 10_000_000),
            ReadInt(section.GetSection("max_half_open"), d.MaxHalfOpen, 1, 10_000_000),
            ReadInt(section.GetSection("half_open_per_prefix"), d.HalfOpenPerPrefix, 1, 10_000_000),
            ReadInt(section.GetSection("ipv4_prefix"), d.Ipv4Prefix, 0, 32),
            ReadInt(section.GetSection("ipv6_prefix"), d.Ipv6Prefix, 0, 128),
            timeout.Value is null ? TimeSpan.Zero : ReadDuration(timeout, d.EffectiveHalfOpenTimeout),
            ReadBool(section.GetSection("drop_new_when_behind"), d.DropNewWhenBehind));
    }
}
