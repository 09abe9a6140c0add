using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ike.Fast.Crypto;
using IkeHashAlgorithm = Ike.Fast.Crypto.IkeHashAlgorithm;
using EncapsulationMode = Ike.Fast.Wire.EncapsulationMode;
using PayloadType = Ike.Fast.Wire.PayloadType;

namespace Ike.Fast.Protocol.NatTraversal;

/// <summary>
/// NAT discovery (RFC 3947 §3.2): HASH = hash(CKY-I | CKY-R | IP | Port) with the negotiated hash (not the PRF),
/// IP as 4 or 16 bytes, port in network order. The first NAT-D payload a peer sends hashes the destination (what it
/// thinks our address is), the following ones its own source addresses.
/// </summary>
internal static class NatDiscovery
{
    /// <summary>Largest NAT-D hash (SHA-512).</summary>
    public const int MaxHashLength = 64;

    private const int CookiesLength = 16;

    /// <summary>Writes the NAT-D hash of <paramref name="endPoint"/> into <paramref name="destination"/>; returns its length.</summary>
    public static int ComputeHash(IkeHashAlgorithm hash, ulong initiatorCookie, ulong responderCookie, IPEndPoint endPoint, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[CookiesLength + 16 + 2];
        BinaryPrimitives.WriteUInt64BigEndian(input, initiatorCookie);
        BinaryPrimitives.WriteUInt64BigEndian(input[8..], responderCookie);
        IPAddress address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        if (!address.TryWriteBytes(input[CookiesLength..], out int addressLength))
        {
            throw new ArgumentException("address does not fit", nameof(endPoint));
        }

        BinaryPrimitives.WriteUInt16BigEndian(input[(CookiesLength + addressLength)..], (ushort)endPoint.Port);
        ReadOnlySpan<byte> data = input[..(CookiesLength + addressLength + 2)];
        if (hash is IkeHashAlgorithm.Sha1 or IkeHashAlgorithm.Sha256)
        {
            // Four NAT-D hashes per Main Mode on each side (RFC 3947 §3.2): the SHA-NI hasher instead of an OpenSSL
            // one-shot, which costs a context allocation and an error-queue clear per call (issue #8).
            var context = new HashContext(hash);
            context.Append(data);
            return context.Finish(destination);
        }

        return hash switch
        {
            IkeHashAlgorithm.Md5 => MD5.HashData(data, destination),
            IkeHashAlgorithm.Sha1 => SHA1.HashData(data, destination),
            IkeHashAlgorithm.Sha256 => SHA256.HashData(data, destination),
            IkeHashAlgorithm.Sha384 => SHA384.HashData(data, destination),
            IkeHashAlgorithm.Sha512 => SHA512.HashData(data, destination),
            _ => throw new ArgumentOutOfRangeException(nameof(hash)),
        };
    }

    /// <summary>NAT-D payload type of the dialect (RFC 3947 §3.2: 20; drafts: 130).</summary>
    public static PayloadType PayloadTypeFor(NatTraversalVersion version) =>
        version == NatTraversalVersion.Rfc3947 ? PayloadType.NatDiscovery : PayloadType.NatDiscoveryDraft;

    /// <summary>The Quick Mode encapsulation mode for a UDP-encapsulated SA (RFC 3947 §5.1: 3/4; drafts 61443/61444).</summary>
    public static EncapsulationMode EncapsulationFor(NatTraversalVersion version, bool tunnel) => (version, tunnel) switch
    {
        (NatTraversalVersion.Rfc3947, true) => EncapsulationMode.UdpTunnel,
        (NatTraversalVersion.Rfc3947, false) => EncapsulationMode.UdpTransport,
        (_, true) => EncapsulationMode.UdpTunnelDraft,
        _ => EncapsulationMode.UdpTransportDraft,
    };

    /// <summary>True for an IPv6 or IPv4 address family we can hash.</summary>
    public static bool IsSupported(IPEndPoint endPoint) =>
        endPoint.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
}
