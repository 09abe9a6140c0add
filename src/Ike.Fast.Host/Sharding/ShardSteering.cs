using System.Buffers.Binary;

namespace Ike.Fast.Host.Sharding;

/// <summary>
/// Which shard owns an ISAKMP exchange: the low 32 bits of the initiator cookie (bytes 4..7 of the header, RFC 2408
/// section 3.1, read big-endian) modulo the shard count. Every message of a Phase 1 and of the Quick Modes and
/// Informationals under it carries the same initiator cookie, so a peer that floats from 500 to 4500 (RFC 3947 section
/// 4) still lands on the shard holding its state. The kernel's reuseport program (native/src/udp_batch.c) computes the
/// same function, so the two agree. Cookies this host chooses are shaped (<see cref="Shape"/>) to name the shard that
/// chose them; the peer's cookies are random, and the function spreads them evenly.
/// </summary>
public static class ShardSteering
{
    /// <summary>ISAKMP header length (RFC 2408 section 3.1).</summary>
    public const int HeaderLength = 28;

    /// <summary>The four zero bytes before IKE on port 4500 (RFC 3948 section 2.2).</summary>
    public const int NonEspMarkerLength = 4;

    private const int InitiatorCookieOffset = 0;

    public static int ShardOf(ulong initiatorCookie, int shards) => shards <= 1 ? 0 : (int)((uint)initiatorCookie % (uint)shards);

    /// <summary>
    /// The nearest cookie to <paramref name="random"/> (only its low 32 bits move, by less than
    /// <paramref name="shards"/>) that <see cref="ShardOf"/> maps to <paramref name="shard"/>.
    /// </summary>
    public static ulong Shape(ulong random, int shard, int shards)
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

        return (random & 0xFFFF_FFFF_0000_0000UL) | shaped;
    }

    /// <summary>
    /// The initiator cookie of an IKE datagram as received on <paramref name="natTraversalPort"/> or 500: false for a
    /// datagram too short for a cookie, or on 4500 one without the non-ESP marker (ESP, keepalive).
    /// </summary>
    public static bool TryReadInitiatorCookie(ReadOnlySpan<byte> datagram, bool natTraversalPort, out ulong cookie)
    {
        cookie = 0;
        if (natTraversalPort)
        {
            if (datagram.Length < NonEspMarkerLength + 8 || BinaryPrimitives.ReadUInt32BigEndian(datagram) != 0)
            {
                return false;
            }

            datagram = datagram[NonEspMarkerLength..];
        }
        else if (datagram.Length < 8)
        {
            return false;
        }

        cookie = BinaryPrimitives.ReadUInt64BigEndian(datagram[InitiatorCookieOffset..]);
        return true;
    }
}
