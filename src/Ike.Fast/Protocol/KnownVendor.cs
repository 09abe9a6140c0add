namespace Ike.Fast.Protocol;

/// <summary>Vendor IDs recognised in a peer's Phase 1 messages (what the peer says it supports or is).</summary>
[Flags]
public enum KnownVendor
{
    /// <summary>Nothing recognised.</summary>
    None = 0,

    /// <summary>strongSwan (MD5("strongSwan")).</summary>
    StrongSwan = 1 << 0,

    /// <summary>Libreswan ("OE" prefix) or Openswan ("OSW" prefix).</summary>
    Libreswan = 1 << 1,

    /// <summary>Dead Peer Detection (RFC 3706 §2.2).</summary>
    Dpd = 1 << 2,

    /// <summary>NAT-Traversal RFC 3947.</summary>
    NatTraversalRfc3947 = 1 << 3,

    /// <summary>NAT-Traversal drafts 02/02n/03.</summary>
    NatTraversalDraft = 1 << 4,

    /// <summary>XAUTH (draft-ietf-ipsec-isakmp-xauth).</summary>
    Xauth = 1 << 5,

    /// <summary>Cisco Unity.</summary>
    CiscoUnity = 1 << 6,

    /// <summary>IKE fragmentation (Cisco/strongSwan, payload 132).</summary>
    Fragmentation = 1 << 7,

    /// <summary>Another IkeFast.</summary>
    IkeFast = 1 << 8,

    /// <summary>A vendor ID we do not know (ignored, RFC 2408 §3.16).</summary>
    Unknown = 1 << 30,
}
