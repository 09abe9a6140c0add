using System.Security.Cryptography;
using System.Text;

namespace Ike.Fast.Protocol;

/// <summary>
/// The Vendor ID payload values (RFC 2408 §3.16) we send and recognise. Values are the ones peers really send
/// (see tests/data/vectors: charon sends XAUTH, DPD, FRAGMENTATION, RFC 3947 and draft-02n NAT-T).
/// </summary>
public static class VendorIds
{
    /// <summary>Ours: MD5("IkeFast").</summary>
    public static ReadOnlySpan<byte> IkeFast => s_ikeFast;

    /// <summary>strongSwan: MD5("strongSwan").</summary>
    public static ReadOnlySpan<byte> StrongSwan => [0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc, 0x22, 0x51, 0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb];

    /// <summary>DPD (RFC 3706 §2.2: the last two bytes are version 1.0).</summary>
    public static ReadOnlySpan<byte> Dpd => [0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00];

    /// <summary>NAT-T RFC 3947: MD5("RFC 3947").</summary>
    public static ReadOnlySpan<byte> NatTraversalRfc3947 => [0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f];

    /// <summary>NAT-T draft-ietf-ipsec-nat-t-ike-02\n.</summary>
    public static ReadOnlySpan<byte> NatTraversalDraft02N => [0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f];

    /// <summary>NAT-T draft-ietf-ipsec-nat-t-ike-02.</summary>
    public static ReadOnlySpan<byte> NatTraversalDraft02 => [0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48];

    /// <summary>NAT-T draft-ietf-ipsec-nat-t-ike-03.</summary>
    public static ReadOnlySpan<byte> NatTraversalDraft03 => [0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56];

    /// <summary>XAUTH (8 bytes).</summary>
    public static ReadOnlySpan<byte> Xauth => [0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12];

    /// <summary>Cisco Unity.</summary>
    public static ReadOnlySpan<byte> CiscoUnity => [0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00];

    /// <summary>IKE fragmentation (charon appends 4 capability bytes 80000000).</summary>
    public static ReadOnlySpan<byte> Fragmentation => [0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3];

    private static readonly byte[] s_ikeFast = MD5.HashData(Encoding.ASCII.GetBytes("IkeFast"));

    /// <summary>Classifies one received Vendor ID.</summary>
    public static KnownVendor Classify(ReadOnlySpan<byte> vid)
    {
        if (vid.SequenceEqual(Dpd))
        {
            return KnownVendor.Dpd;
        }

        if (vid.SequenceEqual(NatTraversalRfc3947))
        {
            return KnownVendor.NatTraversalRfc3947;
        }

        if (vid.SequenceEqual(NatTraversalDraft02N) || vid.SequenceEqual(NatTraversalDraft02) || vid.SequenceEqual(NatTraversalDraft03))
        {
            return KnownVendor.NatTraversalDraft;
        }

        if (vid.SequenceEqual(Xauth))
        {
            return KnownVendor.Xauth;
        }

        if (vid.SequenceEqual(CiscoUnity))
        {
            return KnownVendor.CiscoUnity;
        }

        if (vid.StartsWith(Fragmentation))
        {
            return KnownVendor.Fragmentation;
        }

        if (vid.SequenceEqual(StrongSwan))
        {
            return KnownVendor.StrongSwan;
        }

        if (vid.SequenceEqual(s_ikeFast))
        {
            return KnownVendor.IkeFast;
        }

        if (vid.StartsWith("OE"u8) || vid.StartsWith("OSW"u8))
        {
            return KnownVendor.Libreswan;
        }

        return KnownVendor.Unknown;
    }
}
