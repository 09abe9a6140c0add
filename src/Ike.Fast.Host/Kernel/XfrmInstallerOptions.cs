namespace Ike.Fast.Host.Kernel;

/// <summary>Where and how <see cref="XfrmSaInstaller"/> works.</summary>
public sealed record XfrmInstallerOptions
{
    /// <summary>A network namespace to work in (/run/netns/NAME; tests), or null for the daemon's own.</summary>
    public string? NetworkNamespacePath { get; init; }

    /// <summary>The ownership journal (<see cref="OwnedStateJournal"/>); null = none (no crash recovery).</summary>
    public string? JournalPath { get; init; }

    /// <summary>Inbound SPI range handed to XFRM_MSG_ALLOCSPI (1..255 are reserved, RFC 4303 section 2.1).</summary>
    public uint SpiMin { get; init; } = 0x0000_0100;

    public uint SpiMax { get; init; } = 0xffff_ffff;

    /// <summary>Who picks inbound SPIs: the daemon (default, no netlink round trip) or the kernel (ALLOCSPI).</summary>
    public XfrmSpiAllocation SpiAllocation { get; init; } = XfrmSpiAllocation.Daemon;

    /// <summary>
    /// How long a pair's removal may wait to share a netlink message with the next install (<see
    /// cref="XfrmSaInstaller.Delete"/>); zero (the default here) = removed before Delete returns. The daemon uses <see
    /// cref="XfrmSaInstaller.DefaultRemovalDelay"/>.
    /// </summary>
    public TimeSpan RemovalDelay { get; init; }

    /// <summary>Subscribe to ACQUIRE/EXPIRE and queue them as <see cref="KernelEvent"/>s.</summary>
    public bool ReceiveEvents { get; init; } = true;
}
