using Microsoft.Extensions.Configuration.Memory;

namespace Ike.Fast.Host.Configuration;

/// <summary>The provider of <see cref="OverrideConfigurationSource"/>.</summary>
internal sealed class OverrideConfigurationProvider(IReadOnlyDictionary<string, string?> values)
    : MemoryConfigurationProvider(new MemoryConfigurationSource { InitialData = values });
