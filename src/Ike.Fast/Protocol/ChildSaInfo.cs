using System.Net;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Fast.Policy;
using Ike.Fast.Wire;

namespace Ike.Fast.Protocol;

/// <summary>
/// An IPsec SA pair negotiated by Quick Mode, everything the kernel installer needs: SPIs, algorithms, keys
/// (KEYMAT split per RFC 2409 §5.5: encryption key (+ salt for GCM/CTR) first, then the integrity key), mode and
/// traffic selectors. "Inbound" is traffic from the peer to us (our SPI), "outbound" the peer's SPI.
/// Key arrays are owned by the event consumer, which should zero them after installing
/// (<see cref="ClearKeys"/>).
/// </summary>
public sealed class ChildSaInfo
{
    /// <summary>Connection name.</summary>
    public required string Connection { get; init; }

    /// <summary>Child name.</summary>
    public required string Child { get; init; }

    /// <summary>The Quick Mode message ID that created it.</summary>
    public uint MessageId { get; init; }

    /// <summary>ESP or AH.</summary>
    public IpsecProtocol Protocol { get; init; }

    /// <summary>Tunnel or transport.</summary>
    public IpsecMode Mode { get; init; }

    /// <summary>Our address (outer source of outbound traffic).</summary>
    public required IPAddress LocalAddress { get; init; }

    /// <summary>The peer's address.</summary>
    public required IPAddress RemoteAddress { get; init; }

    /// <summary>Our SPI (the peer sends with it).</summary>
    public uint InboundSpi { get; init; }

    /// <summary>The peer's SPI (we send with it).</summary>
    public uint OutboundSpi { get; init; }

    /// <summary>ESP cipher (transform id); meaningless for AH.</summary>
    public EspTransformId Encryption { get; init; }

    /// <summary>Cipher key length in bits (without salt).</summary>
    public int EncryptionKeyBits { get; init; }

    /// <summary>Integrity algorithm, or null for AES-GCM.</summary>
    public IpsecAuthenticationAlgorithm? Integrity { get; init; }

    /// <summary>PFS group used, or null.</summary>
    public DhGroupId? PfsGroup { get; init; }

    /// <summary>Inbound encryption key (+ 4-byte salt for GCM/CTR).</summary>
    public required byte[] InboundEncryptionKey { get; init; }

    /// <summary>Inbound integrity key.</summary>
    public required byte[] InboundIntegrityKey { get; init; }

    /// <summary>Outbound encryption key (+ 4-byte salt for GCM/CTR).</summary>
    public required byte[] OutboundEncryptionKey { get; init; }

    /// <summary>Outbound integrity key.</summary>
    public required byte[] OutboundIntegrityKey { get; init; }

    /// <summary>Our traffic selector.</summary>
    public required TrafficSelector LocalTs { get; init; }

    /// <summary>The peer's traffic selector.</summary>
    public required TrafficSelector RemoteTs { get; init; }

    /// <summary>Negotiated lifetime in seconds (0 = none).</summary>
    public long LifetimeSeconds { get; init; }

    /// <summary>Negotiated lifetime in kilobytes (0 = none).</summary>
    public long LifetimeKilobytes { get; init; }

    /// <summary>
    /// ESP is UDP-encapsulated (RFC 3948; a NAT was detected or encapsulation forced): the installer sets XFRMA_ENCAP
    /// (UDP_ENCAP_ESPINUDP) with <see cref="EncapsulationSourcePort"/> / <see cref="EncapsulationDestinationPort"/>.
    /// </summary>
    public bool UdpEncapsulated { get; init; }

    /// <summary>Our UDP port for ESP-in-UDP (4500), 0 when not encapsulated.</summary>
    public int EncapsulationSourcePort { get; init; }

    /// <summary>The peer's UDP port for ESP-in-UDP (4500 or its NAT's mapped port), 0 when not encapsulated.</summary>
    public int EncapsulationDestinationPort { get; init; }

    /// <summary>
    /// The peer's NAT-OAi (original initiator address) from Quick Mode, RFC 3947 §5.2 (UDP-encapsulated transport
    /// mode only; null otherwise): what the kernel needs to fix TCP/UDP checksums (XFRMA_COADDR).
    /// </summary>
    public System.Net.IPAddress? NatOriginalInitiator { get; init; }

    /// <summary>The peer's NAT-OAr (original responder address), as <see cref="NatOriginalInitiator"/>.</summary>
    public System.Net.IPAddress? NatOriginalResponder { get; init; }

    /// <summary>Zeroes the key arrays.</summary>
    public void ClearKeys()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(InboundEncryptionKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(InboundIntegrityKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(OutboundEncryptionKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(OutboundIntegrityKey);
    }
}
