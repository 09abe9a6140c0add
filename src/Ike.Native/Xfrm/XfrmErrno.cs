namespace Ike.Native.Xfrm;

/// <summary>Maps the shim's negative errno results to <see cref="XfrmStatus"/> (Linux errno numbers, asm-generic).</summary>
public static class XfrmErrno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int EINVAL = 22;
    internal const int ENOSPC = 28;
    internal const int ENOSYS = 38;
    internal const int ENOTSOCK = 88;
    internal const int EMSGSIZE = 90;
    internal const int ENOPROTOOPT = 92;
    internal const int EPROTONOSUPPORT = 93;
    internal const int EAFNOSUPPORT = 97;
    internal const int EADDRNOTAVAIL = 99;
    internal const int ENOBUFS = 105;
    internal const int ETIMEDOUT = 110;

    /// <summary>Maps a kernel/shim result (0 or a negative errno) of a request/ack exchange.</summary>
    public static XfrmStatus ToStatus(int result) => (-result) switch
    {
        0 => XfrmStatus.Success,
        EPERM or EACCES => XfrmStatus.PermissionDenied,
        EPROTONOSUPPORT => XfrmStatus.ProtocolNotSupported,
        ENOSYS => XfrmStatus.AlgorithmNotSupported,
        EEXIST => XfrmStatus.AlreadyExists,
        ESRCH or ENOENT => XfrmStatus.NotFound,
        EINVAL => XfrmStatus.InvalidArgument,
        ENOBUFS => XfrmStatus.EventsLost,
        ENOMEM => XfrmStatus.OutOfMemory,
        EBUSY => XfrmStatus.Busy,
        EAGAIN or ETIMEDOUT => XfrmStatus.TimedOut,
        ENOSPC or EMSGSIZE => XfrmStatus.BufferTooSmall,
        EAFNOSUPPORT or EADDRNOTAVAIL => XfrmStatus.AddressFamilyNotSupported,
        ENOTSOCK or ENOPROTOOPT or EBADF => XfrmStatus.InvalidSocket,
        _ => XfrmStatus.Other,
    };

    /// <summary>As <see cref="ToStatus"/>, but EAGAIN means "no event within the timeout".</summary>
    internal static XfrmStatus ToEventStatus(int result) =>
        result == -EAGAIN ? XfrmStatus.NoEvent : ToStatus(result);

    /// <summary>As <see cref="ToStatus"/>, but a missing or invalid namespace path is reported as such.</summary>
    internal static XfrmStatus ToOpenStatus(int result) =>
        result is -ENOENT or -EBADF or -EINVAL ? XfrmStatus.NamespaceNotFound : ToStatus(result);
}
