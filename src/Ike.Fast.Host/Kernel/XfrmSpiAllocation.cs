namespace Ike.Fast.Host.Kernel;

/// <summary>Who picks the inbound SPIs of the SAs <see cref="XfrmSaInstaller"/> installs.</summary>
public enum XfrmSpiAllocation
{
    /// <summary>
    /// The daemon: a random SPI from the range, unique among every SA and reservation the installer holds (whatever the
    /// local address), reserved in memory only; the inbound SA then goes in with XFRM_MSG_NEWSA, which the kernel refuses
    /// (AlreadyExists) if another program holds the same (destination, SPI, protocol). No netlink round trip while
    /// Quick Mode runs, and none of ALLOCSPI's cost: since Linux 6.17 (commit "xfrm: Duplicate SPI Handling") ALLOCSPI
    /// checks a candidate SPI by walking every SA of the namespace under the state lock, O(SAs) per Quick Mode.
    /// </summary>
    Daemon,

    /// <summary>The kernel: XFRM_MSG_ALLOCSPI (a larval SA holds the SPI until XFRM_MSG_UPDSA replaces it).</summary>
    Kernel,
}
