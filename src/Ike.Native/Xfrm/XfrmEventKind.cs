namespace Ike.Native.Xfrm;

/// <summary>Kernel events an IKE daemon acts on.</summary>
public enum XfrmEventKind
{
    None = 0,

    /// <summary>XFRM_MSG_ACQUIRE: traffic hit a policy without an SA; start a negotiation.</summary>
    Acquire = 1,

    /// <summary>XFRM_MSG_EXPIRE, soft: the SA reached its soft lifetime; rekey.</summary>
    SoftExpire = 2,

    /// <summary>XFRM_MSG_EXPIRE, hard: the kernel removed the SA; forget it.</summary>
    HardExpire = 3,
}
