using System.Net;
using System.Text;
using Ike.Fast.Policy;

namespace Ike.Fast.Tests.Policy;

public class InMemorySecretStoreTests
{
    [Fact]
    public void Lookup_ByIdentity_ThenAddress_ThenWildcard()
    {
        var store = new InMemorySecretStore()
            .AddPreSharedKey("by-id", IkeIdentity.Parse("@b.test"))
            .AddPreSharedKey("by-address", IPAddress.Parse("192.0.2.9"))
            .AddPreSharedKey("wildcard");
        Assert.True(store.TryGetPreSharedKey(null, IkeIdentity.Parse("@b.test"), IPAddress.Parse("192.0.2.9"), out ReadOnlyMemory<byte> k));
        Assert.Equal("by-id", Encoding.UTF8.GetString(k.Span));
        Assert.True(store.TryGetPreSharedKey(null, null, IPAddress.Parse("192.0.2.9"), out k));
        Assert.Equal("by-address", Encoding.UTF8.GetString(k.Span));
        Assert.True(store.TryGetPreSharedKey(null, null, IPAddress.Parse("198.51.100.1"), out k));
        Assert.Equal("wildcard", Encoding.UTF8.GetString(k.Span));
        Assert.False(new InMemorySecretStore().TryGetPreSharedKey(null, null, IPAddress.Loopback, out _));
    }
}
