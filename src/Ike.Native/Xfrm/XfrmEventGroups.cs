namespace Ike.Native.Xfrm;

/// <summary>Multicast groups a socket subscribes to at open (XFRMGRP_ACQUIRE, XFRMGRP_EXPIRE).</summary>
[Flags]
public enum XfrmEventGroups : uint
{
    None = 0,
    Acquire = 1,
    Expire = 2,
}
