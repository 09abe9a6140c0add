namespace Ike.Native.Xfrm;

/// <summary>IPsec mode (XFRM_MODE_*; RFC 4301 section 4.1).</summary>
public enum XfrmMode : byte
{
    Transport = 0,
    Tunnel = 1,
}
