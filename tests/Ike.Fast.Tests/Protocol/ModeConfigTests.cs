using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Protocol.Transaction;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol;

/// <summary>Mode-Config pull and push over the Transaction exchange (A road warrior, B gateway).</summary>
public sealed class ModeConfigTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AddressDnsSplitBanner_AreAssigned_ThenQuickMode(bool push)
    {
        var pool = new AddressPool("10.3.0.0/24");
        Conversation c = Create(push, pool, xauth: false);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        EngineEvent e = Assert.Single(c.Of(true, EngineEventKind.ConfigurationReceived));
        ModeConfigAttributes got = e.Configuration!;
        Assert.Equal([IPAddress.Parse("10.3.0.1")], got.Addresses);
        Assert.Equal([IPAddress.Parse("192.0.2.53")], got.Dns);
        Assert.Equal(["10.2.0.0/16", "10.9.8.0/24"], got.SplitInclude.Select(s => s.ToString()));
        Assert.Equal("welcome", got.Banner);
        Assert.Equal(1, pool.Leased);
        // MM (6), Transaction (2), QM (3).
        Assert.Equal(11, c.Wire.Count);
        Assert.Equal(push ? [false, true] : [true, false], c.Wire.Skip(6).Take(2).Select(w => w.FromA));
        Assert.Single(c.Of(true, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void AfterXauth_ModeConfigPull()
    {
        var pool = new AddressPool("10.3.0.0/24");
        Conversation c = Create(push: false, pool, xauth: true);
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        Assert.Contains(c.EventsA, e => e.Diagnostic == DiagnosticCode.XauthSucceeded);
        Assert.Single(c.Of(true, EngineEventKind.ConfigurationReceived));
        Assert.Equal(6 + 4 + 2 + 3, c.Wire.Count);
        Assert.Single(c.Of(false, EngineEventKind.InstallChildSa));
    }

    [Fact]
    public void Pool_HandsOutNoDuplicates_AndReleasedOnDelete()
    {
        var pool = new AddressPool("10.3.0.0/30"); // two usable addresses
        Conversation c1 = Create(false, pool, xauth: false);
        c1.A.Initiate("conn", "child", c1.Now);
        c1.Pump();
        Conversation c2 = Create(false, pool, xauth: false);
        c2.A.Initiate("conn", "child", c2.Now);
        c2.Pump();
        IPAddress a1 = Assert.Single(Assert.Single(c1.Of(true, EngineEventKind.ConfigurationReceived)).Configuration!.Addresses);
        IPAddress a2 = Assert.Single(Assert.Single(c2.Of(true, EngineEventKind.ConfigurationReceived)).Configuration!.Addresses);
        Assert.NotEqual(a1, a2);
        Assert.Equal(2, pool.Leased);

        // Exhausted: the third road warrior gets nothing, its SA is deleted.
        Conversation c3 = Create(false, pool, xauth: false);
        c3.A.Initiate("conn", "child", c3.Now);
        c3.Pump();
        Assert.Contains(c3.EventsB, e => e.Diagnostic == DiagnosticCode.PoolExhausted);
        Assert.Empty(c3.Of(true, EngineEventKind.ConfigurationReceived));
        Assert.Empty(c3.Of(true, EngineEventKind.InstallChildSa));

        // Deleting the first SA releases its address for the next one.
        EngineEvent up = Assert.Single(c1.Of(false, EngineEventKind.Phase1Up));
        c1.B.DeletePhase1(up.InitiatorCookie, up.ResponderCookie, c1.Now);
        c1.Pump();
        Assert.Equal(1, pool.Leased);
        Conversation c4 = Create(false, pool, xauth: false);
        c4.A.Initiate("conn", "child", c4.Now);
        c4.Pump();
        Assert.Equal(a1, Assert.Single(Assert.Single(c4.Of(true, EngineEventKind.ConfigurationReceived)).Configuration!.Addresses));
    }

    [Fact]
    public void DynamicSelectors_UseTheVirtualAddress()
    {
        var pool = new AddressPool("10.3.0.0/24");
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB, child: b => b.LocalNet = "dynamic");
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA, child: b => b.RemoteNet = "dynamic");
        var c = new Conversation(
            With(a, new ModeConfigSettings { Role = ModeConfigRole.Client }, XauthRole.None),
            With(b, new ModeConfigSettings { Role = ModeConfigRole.Server, Ipv4Pool = pool }, XauthRole.None));
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        ChildSaInfo ca = Assert.Single(c.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo cb = Assert.Single(c.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.Equal("10.3.0.1/32", ca.LocalTs.ToString());
        Assert.Equal("10.3.0.1/32", cb.RemoteTs.ToString());
    }

    [Fact]
    public void AddressPool_Ipv6_AndWrapAround()
    {
        var pool = new AddressPool("fd00::/126");
        var got = new HashSet<IPAddress>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(pool.TryAllocate(out IPAddress? a));
            Assert.True(got.Add(a!));
        }

        Assert.False(pool.TryAllocate(out _));
        pool.Release(IPAddress.Parse("fd00::2"));
        Assert.True(pool.TryAllocate(out IPAddress? again));
        Assert.Equal(IPAddress.Parse("fd00::2"), again);
    }

    private sealed class AnyUser : IXauthBackend
    {
        public bool Verify(string connection, string user, ReadOnlySpan<byte> password) => true;
    }

    private static Conversation Create(bool push, AddressPool pool, bool xauth)
    {
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB);
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA);
        var client = new ModeConfigSettings { Role = ModeConfigRole.Client, Push = push };
        var server = new ModeConfigSettings
        {
            Role = ModeConfigRole.Server,
            Push = push,
            Ipv4Pool = pool,
            Dns = [IPAddress.Parse("192.0.2.53")],
            SplitInclude = [TrafficSelector.Parse("10.2.0.0/16"), TrafficSelector.Parse("10.9.8.0/24")],
            Banner = "welcome",
        };
        return new Conversation(With(a, client, xauth ? XauthRole.Client : XauthRole.None), With(b, server, xauth ? XauthRole.Server : XauthRole.None),
            optionsB: new EndpointOptions { XauthBackend = new AnyUser() });
    }

    private static PeerConfig With(PeerConfig c, ModeConfigSettings mc, XauthRole xauth) => new()
    {
        Name = c.Name,
        LocalAddress = c.LocalAddress,
        RemoteAddress = c.RemoteAddress,
        Mode = c.Mode,
        IkeProposals = c.IkeProposals,
        LocalAuth = c.LocalAuth,
        RemoteAuth = c.RemoteAuth,
        Children = c.Children,
        ModeConfig = mc,
        Xauth = xauth,
        XauthUserName = "alice",
        XauthPassword = "pw",
    };
}
