namespace Ike.Native.Xfrm;

/// <summary>
/// Outcome of an XFRM operation. Kernel refusals arrive as errno values and are mapped to these stable names
/// (<see cref="XfrmErrno.ToStatus"/>); they are results, not exceptions, because a daemon must handle them.
/// </summary>
public enum XfrmStatus
{
    /// <summary>The kernel accepted the request.</summary>
    Success = 0,

    /// <summary>EPERM/EACCES: the process lacks CAP_NET_ADMIN (or CAP_SYS_ADMIN for a namespace switch).</summary>
    PermissionDenied,

    /// <summary>EPROTONOSUPPORT: the kernel has no xfrm type for the protocol (esp4/ah4/esp6 not built or loaded).</summary>
    ProtocolNotSupported,

    /// <summary>ENOSYS/ENOENT from the crypto layer: the kernel does not know the algorithm.</summary>
    AlgorithmNotSupported,

    /// <summary>EEXIST: an SA with this (destination, SPI, protocol) or a policy with this selector already exists.</summary>
    AlreadyExists,

    /// <summary>ESRCH/ENOENT: no such SA or policy (for an SPI allocation: no free SPI in the range).</summary>
    NotFound,

    /// <summary>EINVAL: the kernel or the shim rejected a parameter (key length, mode, family, ...).</summary>
    InvalidArgument,

    /// <summary>ENOBUFS: the socket's receive buffer overflowed; kernel events (or a batch's acks) were lost.</summary>
    EventsLost,

    /// <summary>ENOMEM.</summary>
    OutOfMemory,

    /// <summary>EBUSY.</summary>
    Busy,

    /// <summary>EAGAIN on an event receive: nothing pending within the timeout.</summary>
    NoEvent,

    /// <summary>EAGAIN/ETIMEDOUT while waiting for acks: the kernel did not answer in time.</summary>
    TimedOut,

    /// <summary>ENOSPC from a builder: the message does not fit the buffer (batch full); EMSGSIZE: a batch longer than
    /// the socket's send buffer.</summary>
    BufferTooSmall,

    /// <summary>ENOENT/EBADF/EINVAL while opening the network namespace path.</summary>
    NamespaceNotFound,

    /// <summary>EADDRNOTAVAIL/EAFNOSUPPORT: address family not usable here.</summary>
    AddressFamilyNotSupported,

    /// <summary>ENOPROTOOPT/ENOTSOCK/EBADF on a socket option: not a socket of the right kind.</summary>
    InvalidSocket,

    /// <summary>Any other errno (see <see cref="XfrmErrno"/> for the raw value where kept).</summary>
    Other,
}
