using Ike.Fast.Policy;
using Ike.Fast.Protocol;

namespace Ike.Fast.Tests.Protocol;

/// <summary>
/// Which NAT-OA is the peer's own original address (RFC 3947 section 5.2): NAT-OAi when the peer sent QM1, NAT-OAr
/// when it sent QM2. This is what the kernel installer puts into encap_oa.
/// </summary>
public class NatOaPeerAddressTests
{
    [Fact]
    public void EachSideRecordsThePeersOwnAddress()
    {
        var n = new NatNetwork(natA: true, natB: false, mode: IpsecMode.Transport);
        n.A.Initiate("conn", "child", n.Now);
        n.Pump();
        ChildSaInfo a = Assert.Single(n.Of(true, EngineEventKind.InstallChildSa)).ChildSa!;
        ChildSaInfo b = Assert.Single(n.Of(false, EngineEventKind.InstallChildSa)).ChildSa!;
        Assert.True(a.QuickModeInitiator);
        Assert.False(b.QuickModeInitiator);
        // B (the responder) learns A's private address; A learns B's (not NATed) address.
        Assert.Equal(NatNetwork.PrivateA, b.NatOriginalPeer);
        Assert.Equal(NatNetwork.PublicB, a.NatOriginalPeer);
    }
}
