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
/// (<see cref="ClearKeys"/>). Created by the engine only; a host that is done with one (after its DeleteChildSa
/// event) may hand it back with <see cref="Endpoint.ReturnChildSa"/> so the next Quick Mode reuses it.
/// </summary>
public sealed class ChildSaInfo
{
    /// <summary>Connection name.</summary>
    public string Connection { get; internal set; } = "";

    /// <summary>Child name.</summary>
    public string Child { get; internal set; } = "";

    /// <summary>The Quick Mode message ID that created it.</summary>
    public uint MessageId { get; internal set; }

    /// <summary>ESP or AH.</summary>
    public IpsecProtocol Protocol { get => (IpsecProtocol)_protocol; internal set => _protocol = checked((byte)value); }

    // Stored in a byte each (the enums' values are small), like the ports below in two bytes: the object's fields
    // then fit 160 bytes (176-byte object instead of 192; issue #7).
    private byte _protocol;
    private byte _mode;
    private ushort _encapsulationSourcePort;
    private ushort _encapsulationDestinationPort;

    // The key length in two bytes, and the optional algorithm numbers with 0 for none (RFC 2407 §4.5 and §4.4.4 /
    // RFC 2409 Appendix A assign no algorithm or group the value 0) instead of a nullable's flag: 176-byte object.
    private ushort _encryptionKeyBits;
    private ushort _integrity;
    private ushort _pfsGroup;

    /// <summary>Tunnel or transport.</summary>
    public IpsecMode Mode { get => (IpsecMode)_mode; internal set => _mode = checked((byte)value); }

    /// <summary>Our address (outer source of outbound traffic).</summary>
    public IPAddress LocalAddress { get; internal set; } = IPAddress.None;

    /// <summary>The peer's address.</summary>
    public IPAddress RemoteAddress { get; internal set; } = IPAddress.None;

    /// <summary>Our SPI (the peer sends with it).</summary>
    public uint InboundSpi { get; internal set; }

    /// <summary>The peer's SPI (we send with it).</summary>
    public uint OutboundSpi { get; internal set; }

    /// <summary>ESP cipher (transform id); meaningless for AH.</summary>
    public EspTransformId Encryption { get; internal set; }

    /// <summary>Cipher key length in bits (without salt).</summary>
    public int EncryptionKeyBits { get => _encryptionKeyBits; internal set => _encryptionKeyBits = checked((ushort)value); }

    /// <summary>Integrity algorithm, or null for AES-GCM.</summary>
    public IpsecAuthenticationAlgorithm? Integrity
    {
        get => _integrity == 0 ? null : (IpsecAuthenticationAlgorithm)_integrity;
        internal set => _integrity = (ushort)(value ?? 0);
    }

    /// <summary>PFS group used, or null.</summary>
    public DhGroupId? PfsGroup
    {
        get => _pfsGroup == 0 ? null : (DhGroupId)_pfsGroup;
        internal set => _pfsGroup = (ushort)(value ?? 0);
    }

    /// <summary>Inbound encryption key (+ 4-byte salt for GCM/CTR).</summary>
    public byte[] InboundEncryptionKey
    {
        get => _keys?.InboundEncryption ?? ZeroKey(_encryptionKeyLength);
        internal set => KeysForWrite().InboundEncryption = NoteEncryptionKeyLength(value);
    }

    /// <summary>Inbound integrity key.</summary>
    public byte[] InboundIntegrityKey
    {
        get => _keys?.InboundIntegrity ?? ZeroKey(_integrityKeyLength);
        internal set => KeysForWrite().InboundIntegrity = NoteIntegrityKeyLength(value);
    }

    /// <summary>Outbound encryption key (+ 4-byte salt for GCM/CTR).</summary>
    public byte[] OutboundEncryptionKey
    {
        get => _keys?.OutboundEncryption ?? ZeroKey(_encryptionKeyLength);
        internal set => KeysForWrite().OutboundEncryption = NoteEncryptionKeyLength(value);
    }

    /// <summary>Outbound integrity key.</summary>
    public byte[] OutboundIntegrityKey
    {
        get => _keys?.OutboundIntegrity ?? ZeroKey(_integrityKeyLength);
        internal set => KeysForWrite().OutboundIntegrity = NoteIntegrityKeyLength(value);
    }

    /// <summary>
    /// The key arrays while the pair has keys; null once <see cref="ClearKeys"/> gave them back (the getters then return
    /// shared all-zero arrays of the lengths below). One reference instead of four arrays and a pool (issue #7).
    /// </summary>
    private ChildSaKeys? _keys;

    /// <summary>Length of both encryption keys and of both integrity keys (bytes; keys are at most 64).</summary>
    private byte _encryptionKeyLength;
    private byte _integrityKeyLength;

    /// <summary>Our traffic selector.</summary>
    public TrafficSelector LocalTs { get; internal set; } = TrafficSelector.Dynamic;

    /// <summary>The peer's traffic selector.</summary>
    public TrafficSelector RemoteTs { get; internal set; } = TrafficSelector.Dynamic;

    /// <summary>Negotiated lifetime in seconds (0 = none).</summary>
    public long LifetimeSeconds { get; internal set; }

    /// <summary>Negotiated lifetime in kilobytes (0 = none).</summary>
    public long LifetimeKilobytes { get; internal set; }

    /// <summary>
    /// ESP is UDP-encapsulated (RFC 3948; a NAT was detected or encapsulation forced): the installer sets XFRMA_ENCAP
    /// (UDP_ENCAP_ESPINUDP) with <see cref="EncapsulationSourcePort"/> / <see cref="EncapsulationDestinationPort"/>.
    /// </summary>
    public bool UdpEncapsulated { get; internal set; }

    /// <summary>Our UDP port for ESP-in-UDP (4500), 0 when not encapsulated.</summary>
    public int EncapsulationSourcePort { get => _encapsulationSourcePort; internal set => _encapsulationSourcePort = checked((ushort)value); }

    /// <summary>The peer's UDP port for ESP-in-UDP (4500 or its NAT's mapped port), 0 when not encapsulated.</summary>
    public int EncapsulationDestinationPort { get => _encapsulationDestinationPort; internal set => _encapsulationDestinationPort = checked((ushort)value); }

    /// <summary>
    /// When the host installed the pair (Unix seconds; 0 until then), set by the host: its status rows read it from
    /// here instead of keeping a row of their own per pair (issue #7). The engine clears it when it reuses the object.
    /// </summary>
    public long InstalledUnixSeconds { get; set; }

    /// <summary>Listed by the engine as an established child of an ISAKMP SA (not returnable to the pool).</summary>
    internal bool Live { get; set; }

    /// <summary>In the engine's free list.</summary>
    internal bool Pooled { get; set; }

    /// <summary>
    /// The engine's lifetime record while the pair is established and <see cref="EndpointOptions.ManageLifetimes"/> is
    /// set (null otherwise; cleared when the engine forgets the pair, before the object can be reused).
    /// </summary>
    internal ChildLifecycle? Lifecycle { get; set; }

    /// <summary>
    /// The peer's NAT-OAi (original initiator address) from Quick Mode, RFC 3947 §5.2 (UDP-encapsulated transport
    /// mode only; null otherwise): what the kernel's encap_oa carries for the TCP/UDP checksum fix-up (RFC 3948 section 3.1.2).
    /// </summary>
    public System.Net.IPAddress? NatOriginalInitiator { get; internal set; }

    /// <summary>The peer's NAT-OAr (original responder address), as <see cref="NatOriginalInitiator"/>.</summary>
    public System.Net.IPAddress? NatOriginalResponder { get; internal set; }

    /// <summary>We sent QM1 (the peer is the Quick Mode responder): its own original address is NAT-OAr.</summary>
    public bool QuickModeInitiator { get; internal set; }

    /// <summary>
    /// The peer's own original address (RFC 3947 section 5.2: NAT-OAi when the peer initiated the Quick Mode,
    /// NAT-OAr when we did), or null when it sent none.
    /// </summary>
    public System.Net.IPAddress? NatOriginalPeer => QuickModeInitiator ? NatOriginalResponder : NatOriginalInitiator;

    /// <summary>
    /// Gives the pair its key arrays (the engine's, from its free list: <see cref="ClearKeys"/> returns them and the
    /// holder there, so an installed pair holds no key arrays at all).
    /// </summary>
    internal void AttachKeys(ChildSaKeys keys)
    {
        _keys = keys;
        _encryptionKeyLength = (byte)Math.Min(keys.InboundEncryption.Length, byte.MaxValue);
        _integrityKeyLength = (byte)Math.Min(keys.InboundIntegrity.Length, byte.MaxValue);
    }

    /// <summary>The holder to write a key into (a child not made by an endpoint gets one of its own, kept).</summary>
    private ChildSaKeys KeysForWrite() => _keys ??= new ChildSaKeys();

    private byte[] NoteEncryptionKeyLength(byte[] key)
    {
        _encryptionKeyLength = (byte)Math.Min(key.Length, byte.MaxValue);
        return key;
    }

    private byte[] NoteIntegrityKeyLength(byte[] key)
    {
        _integrityKeyLength = (byte)Math.Min(key.Length, byte.MaxValue);
        return key;
    }

    /// <summary>
    /// Zeroes the key arrays. For a child made by an <see cref="Endpoint"/> the arrays also go back to the endpoint's
    /// pool and are replaced by shared all-zero arrays of the same lengths (an installed pair then costs no key bytes,
    /// and a later XFRM_MSG_UPDSA still carries keys of the right length, zero as before); call it on the thread that
    /// drives the endpoint (the daemon does, right after installing).
    /// </summary>
    public void ClearKeys()
    {
        if (_keys is not { } keys)
        {
            return; // no arrays of its own (the shared zero arrays are never written)
        }

        System.Security.Cryptography.CryptographicOperations.ZeroMemory(keys.InboundEncryption);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(keys.InboundIntegrity);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(keys.OutboundEncryption);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(keys.OutboundIntegrity);
        // Shared zero arrays stand in only when they have the lengths the getters will give (both directions alike,
        // at most 64 bytes); otherwise (a child not made by an endpoint, odd test keys) the zeroed arrays stay.
        if (keys.Pool is not null && keys.InboundEncryption.Length == _encryptionKeyLength && keys.OutboundEncryption.Length == _encryptionKeyLength &&
            keys.InboundIntegrity.Length == _integrityKeyLength && keys.OutboundIntegrity.Length == _integrityKeyLength &&
            _encryptionKeyLength < s_zeroKeys.Length && _integrityKeyLength < s_zeroKeys.Length)
        {
            _keys = null;
            keys.Return();
        }
    }

    /// <summary>Shared all-zero arrays by length (keys are at most 64 bytes: HMAC-SHA-512; longer ones are not shared).</summary>
    private static readonly byte[][] s_zeroKeys = new byte[65][];

    /// <summary>
    /// The all-zero array of <paramref name="length"/> bytes a cleared pair shows (a later XFRM_MSG_UPDSA still carries
    /// keys of the right length, zero as before). A race between two threads' first use of a length only makes two
    /// zero arrays; either is fine.
    /// </summary>
    private static byte[] ZeroKey(int length) => length == 0 ? [] : s_zeroKeys[length] ??= new byte[length];
}
