namespace Ike.Fast.Host.Kernel;

/// <summary><c>daemon { installer = ... }</c>.</summary>
public enum SaInstallerKind
{
    /// <summary>XFRM when running as root on Linux with XFRM usable, else memory.</summary>
    Auto = 0,

    /// <summary>Record and log only (<see cref="Installation.MemorySaInstaller"/>).</summary>
    Memory = 1,

    /// <summary>The Linux kernel (<see cref="XfrmSaInstaller"/>); start-up fails if XFRM cannot be opened.</summary>
    Xfrm = 2,
}
