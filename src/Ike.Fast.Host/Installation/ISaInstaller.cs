using Ike.Fast.Protocol;

namespace Ike.Fast.Host.Installation;

/// <summary>
/// Where negotiated IPsec SAs go: the kernel (XFRM, a later implementation) or memory. It also hands out inbound
/// SPIs, because the SPI space belongs to whoever installs the SAs (XFRM_MSG_ALLOCSPI). Called on the daemon loop
/// thread only, so implementations need no locking against themselves.
/// </summary>
public interface ISaInstaller : ISpiAllocator
{
    /// <summary>Installs the inbound and outbound SAs of <paramref name="sa"/>. The keys are zeroed right after.</summary>
    void Install(ChildSaInfo sa);

    /// <summary>Removes the SAs with <paramref name="sa"/>'s SPIs.</summary>
    void Delete(ChildSaInfo sa);

    /// <summary>
    /// The peer's NAT mapping changed (RFC 3947 section 4; engine event PeerEndpointChanged): the UDP-encapsulated
    /// SAs of <paramref name="sa"/> now use <paramref name="localPort"/> and <paramref name="remotePort"/>. Default:
    /// nothing to update.
    /// </summary>
    void UpdateEncapsulation(ChildSaInfo sa, int localPort, int remotePort)
    {
    }

    /// <summary>
    /// How long work the installer held back (to share a later system call: XFRM removals riding on the next install's
    /// netlink message) may still wait; <see cref="TimeSpan.Zero"/> = due now, null = nothing waits. The daemon loop sleeps
    /// no longer than this. Default: nothing is ever held back.
    /// </summary>
    TimeSpan? HeldBackFor => null;

    /// <summary>
    /// Sends held-back work whose wait is over, or all of it (<paramref name="dueOnly"/> false). The daemon loop calls it
    /// once per iteration (due only) and when it stops (all). Default: nothing to send.
    /// </summary>
    void Flush(bool dueOnly)
    {
    }
}
