using Ike.Native.Xfrm;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// A kernel event mapped to the child that owns it (by reqid), queued by <see cref="XfrmSaInstaller"/> for the daemon.
/// <see cref="Connection"/>/<see cref="Child"/> are null when the reqid is not IkeFast's (or no longer known).
/// <see cref="Superseded"/>: a newer SA pair of the same child is installed (already rekeyed).
/// </summary>
public sealed record KernelEvent(
    KernelEventKind Kind,
    uint ReqId,
    uint Spi,
    XfrmProtocol Protocol,
    string? Connection,
    string? Child,
    uint InboundSpi,
    bool Inbound,
    XfrmStatus Status = XfrmStatus.Success,
    bool Superseded = false)
{
    public override string ToString() =>
        $"{Kind} reqid 0x{ReqId:x8} spi {Spi:x8} {Protocol} {Connection}/{Child}{(Status != XfrmStatus.Success ? " " + Status : "")}";
}
