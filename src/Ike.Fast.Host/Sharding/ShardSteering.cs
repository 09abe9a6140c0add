using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Ike.Fast.Host.Sharding;

/// <summary>
/// Which shard owns a peer: a hash of the peer's IP address keyed by a per-start random seed
/// (<see cref="ShardOfAddress(ReadOnlySpan{byte}, int, ulong)"/>), never its port. Every exchange of one peer, each Phase 1 (a reauthentication, a crossing rekey, a Phase 1 with
/// INITIAL-CONTACT, a new one after DPD) and the Quick Modes and Informationals under them, lands on one shard, which
/// sees all of that peer's SAs: the peer-level rules (docs/rekeying.md) hold as with one shard. The port is left out
/// because a peer floats from 500 to 4500 (RFC 3947 section 4) and a NAT may pick a new port at any time. The kernel's
/// reuseport program (native/src/udp_batch.c) computes the same function, so the two steering strategies agree.
/// <para>
/// A peer whose <em>address</em> changes mid-SA (NAT rebinding) hashes to another shard. That shard finds no SA for the
/// datagram's cookies and forwards it to the shard named by the cookies (<see cref="ShardOf"/>): every cookie this host
/// chooses is shaped (<see cref="Shape"/>) to name the shard that chose it and marked (<see cref="IsShaped"/>), so the
/// SA's owner is the shard its marked cookie names (one of the two both name, when the peer's is marked by chance); no
/// table is shared between shards (Host README, "NAT rebinding across shards").
/// </para>
/// </summary>
public static class ShardSteering
{
    /// <summary>ISAKMP header length (RFC 2408 section 3.1).</summary>
    public const int HeaderLength = 28;

    /// <summary>The four zero bytes before IKE on port 4500 (RFC 3948 section 2.2).</summary>
    public const int NonEspMarkerLength = 4;

    /// <summary>2^32 divided by the golden ratio, odd: the per-word multiplier of the address hash (native/src/udp_batch.c).</summary>
    public const uint AddressHashMultiplier = 0x9E3779B1;

    /// <summary>MurmurHash3's 32-bit finaliser multipliers (the final mix of the address hash).</summary>
    private const uint FinalMultiplier1 = 0x85EBCA6B;

    private const uint FinalMultiplier2 = 0xC2B2AE35;

    private const int InitiatorCookieOffset = 0;

    private const int ResponderCookieOffset = 8;

    /// <summary>
    /// A fresh steering seed (RandomNumberGenerator), drawn once per start: the dispatcher, the shards and the kernel's
    /// reuseport program all hash with it, and nobody outside the process knows it, so a sender cannot choose source
    /// addresses that all land on one shard.
    /// </summary>
    public static ulong NewSeed()
    {
        Span<byte> seed = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(seed);
        return BinaryPrimitives.ReadUInt64LittleEndian(seed);
    }

    /// <summary>The shard a cookie this host chose names (<see cref="Shape"/>): its low 32 bits modulo the shard count.</summary>
    public static int ShardOf(ulong cookie, int shards) => shards <= 1 ? 0 : (int)((uint)cookie % (uint)shards);

    /// <summary>
    /// The shard of a peer address given as its network-order bytes (4 for IPv4, 16 for IPv6), under
    /// <paramref name="seed"/>: h = the seed's low 32 bits; over the address's big-endian 32-bit words
    /// h = (h ^ w) * <see cref="AddressHashMultiplier"/>; h ^= the seed's high 32 bits; then MurmurHash3's finaliser
    /// (h ^= h >> 16; h *= 0x85EBCA6B; h ^= h >> 13; h *= 0xC2B2AE35; h ^= h >> 16), modulo the shard count. The
    /// finaliser makes every address bit count (a multiply alone moves bits only upwards: the low bits of h would
    /// depend only on the low bits of the address, and a flood could keep those fixed). Exactly what the reuseport
    /// program computes in classic BPF (32-bit unsigned arithmetic).
    /// </summary>
    public static int ShardOfAddress(ReadOnlySpan<byte> address, int shards, ulong seed)
    {
        if (shards <= 1)
        {
            return 0;
        }

        var h = (uint)seed;
        for (var i = 0; i + 4 <= address.Length; i += 4)
        {
            h = unchecked((h ^ BinaryPrimitives.ReadUInt32BigEndian(address[i..])) * AddressHashMultiplier);
        }

        h ^= (uint)(seed >> 32);
        h ^= h >> 16;
        h = unchecked(h * FinalMultiplier1);
        h ^= h >> 13;
        h = unchecked(h * FinalMultiplier2);
        h ^= h >> 16;
        return (int)(h % (uint)shards);
    }

    /// <summary>The shard of a received datagram's peer (its source address in a batch slot, network order).</summary>
    internal static int ShardOfSource(ref Ike.Native.Udp.UdpSlot slot, int shards, ulong seed) =>
        ShardOfAddress(((ReadOnlySpan<byte>)slot.Remote)[..(slot.Family == 6 ? 16 : 4)], shards, seed);

    /// <summary>The shard of a peer address; an IPv4-mapped IPv6 address counts as the IPv4 one (as it arrives).</summary>
    public static int ShardOfAddress(IPAddress address, int shards, ulong seed)
    {
        if (shards <= 1)
        {
            return 0;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out var written)
            ? ShardOfAddress(bytes[..(address.AddressFamily == AddressFamily.InterNetwork ? 4 : written)], shards, seed)
            : 0;
    }

    /// <summary>
    /// The shard that runs the exchanges a connection initiates: its peer's (<c>remote</c>); shard 0 when the connection
    /// names no peer address (it cannot initiate; it only answers).
    /// </summary>
    public static int ShardOfPeer(IPAddress? remote, int shards, ulong seed) => remote is null ? 0 : ShardOfAddress(remote, shards, seed);

    /// <summary>Where a shaped cookie carries its mark (<see cref="IsShaped"/>): the byte above its low word.</summary>
    private const int MarkShift = 32;

    private const ulong MarkMask = 0xFFUL << MarkShift;

    /// <summary>
    /// The nearest cookie to <paramref name="random"/> (only its low 32 bits move, by less than
    /// <paramref name="shards"/>) that <see cref="ShardOf"/> maps to <paramref name="shard"/>, with a mark
    /// (<see cref="IsShaped"/>: the byte above the low word, a function of the low word keyed by <paramref name="seed"/>)
    /// that tells this host's cookie of an SA from the peer's. 54 or more bits stay as random as drawn.
    /// </summary>
    public static ulong Shape(ulong random, int shard, int shards, ulong seed)
    {
        if (shards <= 1)
        {
            return random;
        }

        ulong low = (uint)random;
        var n = (ulong)shards;
        var shaped = low - (low % n) + (ulong)shard;
        if (shaped > uint.MaxValue)
        {
            shaped -= n;
        }

        return (random & ~(MarkMask | uint.MaxValue)) | Mark((uint)shaped, seed) | shaped;
    }

    /// <summary>
    /// Whether <paramref name="cookie"/> carries the mark <see cref="Shape"/> gives this host's cookies under
    /// <paramref name="seed"/>: of an SA's two cookies the marked one is ours and names the owner
    /// (<see cref="ShardOf"/>). The peer's random cookie carries it by chance once in 256; with both marked the owner is
    /// one of the two shards they name.
    /// </summary>
    public static bool IsShaped(ulong cookie, ulong seed) => (cookie & MarkMask) == Mark((uint)cookie, seed);

    private static ulong Mark(uint low, ulong seed) =>
        (ulong)(unchecked((low ^ (uint)(seed >> 32)) * AddressHashMultiplier) >> 24) << MarkShift;

    /// <summary>
    /// The initiator cookie of an IKE datagram as received on <paramref name="natTraversalPort"/> or 500: false for a
    /// datagram too short for a cookie, or on 4500 one without the non-ESP marker (ESP, keepalive).
    /// </summary>
    public static bool TryReadInitiatorCookie(ReadOnlySpan<byte> datagram, bool natTraversalPort, out ulong cookie)
    {
        cookie = 0;
        if (!TryStripMarker(ref datagram, natTraversalPort) || datagram.Length < 8)
        {
            return false;
        }

        cookie = BinaryPrimitives.ReadUInt64BigEndian(datagram[InitiatorCookieOffset..]);
        return true;
    }

    /// <summary>
    /// Both cookies of an IKE datagram (RFC 2408 section 3.1): false for a datagram shorter than the two cookies, or on
    /// 4500 one without the non-ESP marker (ESP, keepalive).
    /// </summary>
    public static bool TryReadCookies(ReadOnlySpan<byte> datagram, bool natTraversalPort, out ulong initiator, out ulong responder)
    {
        initiator = responder = 0;
        if (!TryStripMarker(ref datagram, natTraversalPort) || datagram.Length < ResponderCookieOffset + 8)
        {
            return false;
        }

        initiator = BinaryPrimitives.ReadUInt64BigEndian(datagram[InitiatorCookieOffset..]);
        responder = BinaryPrimitives.ReadUInt64BigEndian(datagram[ResponderCookieOffset..]);
        return true;
    }

    private static bool TryStripMarker(ref ReadOnlySpan<byte> datagram, bool natTraversalPort)
    {
        if (!natTraversalPort)
        {
            return true;
        }

        if (datagram.Length < NonEspMarkerLength || BinaryPrimitives.ReadUInt32BigEndian(datagram) != 0)
        {
            return false;
        }

        datagram = datagram[NonEspMarkerLength..];
        return true;
    }
}
