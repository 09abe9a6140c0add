using System.Buffers.Binary;

namespace Ike.Fast.Protocol;

/// <summary>A 256-bit digest of a peer's certificate chain and trust anchors (<see cref="PeerCertificateCache"/>'s key).</summary>
internal readonly record struct CertificateChainKey(UInt128 High, UInt128 Low)
{
    public static CertificateChainKey From(ReadOnlySpan<byte> digest) =>
        new(BinaryPrimitives.ReadUInt128BigEndian(digest), BinaryPrimitives.ReadUInt128BigEndian(digest[16..]));
}
