using System.Net;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Protocol.Transaction;

namespace Ike.Fast.Tests.Protocol;

/// <summary>The road-warrior fields of <see cref="Endpoint.GetSaStatus()"/>: NAT state, encapsulation, lease, XAUTH user.</summary>
public sealed class RoadWarriorStatusTests
{
    [Fact]
    public void NatBehindInitiator_BothSidesReportWhoIsBehindAndEncapsulation()
    {
        var n = new NatNetwork(natA: true, natB: false);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        IkeSaStatus a = Assert.Single(n.A.GetSaStatus());
        IkeSaStatus b = Assert.Single(n.B.GetSaStatus());
        Assert.Equal("local", a.Nat);
        Assert.Equal("remote", b.Nat);
        Assert.True(a.UdpEncapsulated);
        Assert.True(b.UdpEncapsulated);
        IkeSaStatus one = n.A.GetSaStatus(a.InitiatorCookie, a.ResponderCookie)!;
        Assert.Equal((a.Nat, a.UdpEncapsulated, a.Remote), (one.Nat, one.UdpEncapsulated, one.Remote));
        Assert.Null(n.A.GetSaStatus(1, 2));
    }

    [Fact]
    public void NoNat_ReportsNone_NotEncapsulated()
    {
        var n = new NatNetwork(natA: false, natB: false);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        IkeSaStatus a = Assert.Single(n.A.GetSaStatus());
        Assert.Equal("none", a.Nat);
        Assert.False(a.UdpEncapsulated);
        Assert.Null(a.XauthUser);
        Assert.Empty(a.VirtualIps!);
    }

    [Fact]
    public void XauthAndModeConfig_ServerReportsUserAndLease_ClientReportsItsAddress()
    {
        var pool = new AddressPool("10.3.0.0/24");
        PeerConfig a = Conversation.Config(Conversation.AddressA, Conversation.AddressB);
        PeerConfig b = Conversation.Config(Conversation.AddressB, Conversation.AddressA);
        var c = new Conversation(
            With(a, new ModeConfigSettings { Role = ModeConfigRole.Client }, XauthRole.Client),
            With(b, new ModeConfigSettings { Role = ModeConfigRole.Server, Ipv4Pool = pool }, XauthRole.Server),
            optionsB: new EndpointOptions { XauthBackend = new AnyUser() });
        c.A.Initiate("conn", "child", c.Now);
        c.Pump();
        IkeSaStatus server = Assert.Single(c.B.GetSaStatus());
        IkeSaStatus client = Assert.Single(c.A.GetSaStatus());
        Assert.Equal("alice", server.XauthUser);
        Assert.Equal([IPAddress.Parse("10.3.0.1")], server.VirtualIps!);
        Assert.Equal([IPAddress.Parse("10.3.0.1")], client.VirtualIps!);
        Assert.Null(client.XauthUser);
    }

    private sealed class AnyUser : IXauthBackend
    {
        public bool Verify(string connection, string user, ReadOnlySpan<byte> password) => true;
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
