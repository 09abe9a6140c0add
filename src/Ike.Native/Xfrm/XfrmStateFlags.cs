namespace Ike.Native.Xfrm;

/// <summary>XFRM_STATE_* flags of an SA (include/uapi/linux/xfrm.h).</summary>
[Flags]
public enum XfrmStateFlags : byte
{
    None = 0,

    /// <summary>Do not propagate ECN between inner and outer header (RFC 6040 "compatibility" off).</summary>
    NoEcn = 1,

    /// <summary>Copy DSCP from the outer header on decapsulation.</summary>
    DecapDscp = 2,

    NoPmtuDiscovery = 4,

    /// <summary>Accept packets from any source (e.g. a peer behind a changing NAT).</summary>
    WildcardReceive = 8,

    Icmp = 16,

    AddressFamilyUnspecified = 32,

    Align4 = 64,

    /// <summary>Extended (64-bit) sequence numbers (RFC 4303 section 2.2.1; negotiated in IKEv1 per RFC 4304).</summary>
    ExtendedSequenceNumbers = 128,
}
