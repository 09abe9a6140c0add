using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Ike.Fast.Host.Configuration;

/// <summary>
/// Command-line overrides (<c>ikefast serve --set KEY=VALUE</c>, <c>--listen</c>) as a configuration layer of their own
/// type, so that errors can say a bad value came from the command line.
/// </summary>
internal sealed class OverrideConfigurationSource(IReadOnlyDictionary<string, string?> values) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new OverrideConfigurationProvider(values);
}
