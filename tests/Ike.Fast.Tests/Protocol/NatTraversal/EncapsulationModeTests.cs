using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Protocol.NatTraversal;
using Ike.Fast.Wire;

namespace Ike.Fast.Tests.Protocol.NatTraversal;

/// <summary>
/// The Encapsulation Mode attribute per NAT-T dialect: RFC 2407 section 4.5 (1/2) without NAT, RFC 3947 section 5.1
/// (3/4) with the RFC, 61443/61444 with the drafts still in the field.
/// </summary>
public class EncapsulationModeTests
{
    [Theory]
    [InlineData(NatTraversalVersion.None, IpsecMode.Tunnel, 1)]
    [InlineData(NatTraversalVersion.None, IpsecMode.Transport, 2)]
    [InlineData(NatTraversalVersion.Rfc3947, IpsecMode.Tunnel, 3)]
    [InlineData(NatTraversalVersion.Rfc3947, IpsecMode.Transport, 4)]
    [InlineData(NatTraversalVersion.Draft, IpsecMode.Tunnel, 61443)]
    [InlineData(NatTraversalVersion.Draft, IpsecMode.Transport, 61444)]
    internal void ModeNumbersPerDialect(NatTraversalVersion version, IpsecMode mode, int expected) =>
        Assert.Equal((EncapsulationMode)expected, SaCodec.ModeFor(mode, version));
}
