namespace Ike.Fast.Host.Kernel;

/// <summary>What the kernel (or the installer) asks the daemon to do.</summary>
public enum KernelEventKind
{
    /// <summary>XFRM_MSG_ACQUIRE: traffic matched a policy without SA; initiate the child owning the policy's reqid.</summary>
    Acquire = 1,

    /// <summary>Soft EXPIRE of an SA: time to rekey (a new Quick Mode for the child; RFC 2409 section 5.5).</summary>
    SoftExpire = 2,

    /// <summary>Hard EXPIRE: the kernel removed the SA; delete the pair and tell the peer (RFC 2408 section 4.8).</summary>
    HardExpire = 3,

    /// <summary>The kernel refused an SA pair (the installer rolled back its batch); the child is not usable.</summary>
    InstallFailed = 4,

    /// <summary>The event socket overflowed: events were lost.</summary>
    EventsLost = 5,
}
