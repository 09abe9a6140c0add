using System.Net.Sockets;

namespace Ike.Native.Xfrm;

/// <summary>
/// One kernel SA (XFRM_MSG_NEWSA/UPDSA). Keys are spans over the caller's buffers: they are copied into the
/// netlink message only, and that message is zeroed by the native side right after sendmsg.
/// </summary>
public ref struct XfrmSaParameters
{
    public AddressFamily Family { get; set; }

    public XfrmAddress Source { get; set; }

    public XfrmAddress Destination { get; set; }

    /// <summary>The SPI in host order.</summary>
    public uint Spi { get; set; }

    public XfrmProtocol Protocol { get; set; }

    public XfrmMode Mode { get; set; }

    /// <summary>Links the SA to the policy templates with the same reqid.</summary>
    public uint ReqId { get; set; }

    /// <summary>Anti-replay window in packets (RFC 4303 section 3.4.3); above 32 it is sent as an ESN replay state.</summary>
    public uint ReplayWindow { get; set; }

    /// <summary>XFRM_STATE_* flags; <see cref="XfrmStateFlags.ExtendedSequenceNumbers"/> also selects the ESN replay state.</summary>
    public XfrmStateFlags Flags { get; set; }

    public XfrmEncryptionAlgorithm Encryption { get; set; }

    public ReadOnlySpan<byte> EncryptionKey { get; set; }

    public XfrmIntegrityAlgorithm Integrity { get; set; }

    public ReadOnlySpan<byte> IntegrityKey { get; set; }

    /// <summary>ESP in UDP (RFC 3948) when NAT was detected; ports of the IKE peers (normally 4500).</summary>
    public bool UdpEncapsulation { get; set; }

    public ushort EncapsulationSourcePort { get; set; }

    public ushort EncapsulationDestinationPort { get; set; }

    /// <summary>
    /// encap_oa: the peer's original address from its NAT-OA payload (RFC 3947 section 5.2), for the checksum
    /// fix-up of UDP-encapsulated transport mode (RFC 3948 section 3.1.2); <see cref="XfrmAddress.Any"/> when none.
    /// </summary>
    public XfrmAddress EncapsulationOriginalAddress { get; set; }

    public XfrmSelector Selector { get; set; }

    public XfrmLifetime Lifetime { get; set; }
}
