using System.Runtime.InteropServices;

namespace Ike.Native.Xfrm;

/// <summary>Owns an IkeFastXfrm context (a NETLINK_XFRM socket plus its receive buffer) from IkeFastNative_XfrmOpen.</summary>
internal sealed class SafeXfrmHandle : SafeHandle
{
    public SafeXfrmHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.Xfrm.Close(handle);
        return true;
    }
}
