using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto.KeySchedule;

/// <summary>
/// Quick Mode and Informational derivations (RFC 2409 §5.5, §5.7, Appendix B) over raw byte spans. Message IDs are
/// the 32-bit ISAKMP header value (written big-endian, as on the wire). "rest" arguments are the message's
/// payloads after the HASH payload, generic headers included, without the ISAKMP padding.
/// </summary>
[SkipLocalsInit]
public static class Phase2KeySchedule
{
    /// <summary>ESP protocol ID (RFC 2407 §4.4.1), the usual KEYMAT protocol octet.</summary>
    public const byte ProtocolEsp = 3;

    /// <summary>AH protocol ID (RFC 2407 §4.4.1).</summary>
    public const byte ProtocolAh = 2;

    /// <summary>
    /// IV of a Quick Mode or Informational exchange: hash(last Phase 1 CBC block | M-ID) truncated to the block
    /// size = <paramref name="iv"/>.Length (RFC 2409 Appendix B). Each exchange then chains its own IV.
    /// </summary>
    public static void ComputeIv(IkeHashAlgorithm hash, ReadOnlySpan<byte> lastPhase1Block, uint messageId,
        Span<byte> iv)
    {
        Span<byte> mid = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(mid, messageId);
        Span<byte> digest = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        using HashContext context = new(hash);
        context.Append(lastPhase1Block);
        context.Append(mid);
        int size = context.Finish(digest);
        if (iv.Length > size)
        {
            throw new ArgumentException("IV longer than the hash output.", nameof(iv));
        }

        digest[..iv.Length].CopyTo(iv);
    }

    /// <summary>Quick Mode HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [| KE] [| IDci | IDcr]) (RFC 2409 §5.5).</summary>
    public static int ComputeQuickModeHash1(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyidA, uint messageId,
        ReadOnlySpan<byte> rest, Span<byte> hash1)
    {
        using PrfKey key = PrfKey.Create(prf, skeyidA);
        return ComputeQuickModeHash1(in key, messageId, rest, hash1);
    }

    /// <summary>Quick Mode HASH(1) with SKEYID_a prepared once.</summary>
    public static int ComputeQuickModeHash1(in PrfKey skeyidA, uint messageId, ReadOnlySpan<byte> rest, Span<byte> hash1)
    {
        using PrfContext context = StartWithMessageId(in skeyidA, prefixZero: false, messageId);
        context.Append(rest);
        return context.Finish(hash1);
    }

    /// <summary>Quick Mode HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [| KE] [| IDci | IDcr]) (RFC 2409 §5.5).</summary>
    public static int ComputeQuickModeHash2(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyidA, uint messageId,
        ReadOnlySpan<byte> niB, ReadOnlySpan<byte> rest, Span<byte> hash2)
    {
        using PrfKey key = PrfKey.Create(prf, skeyidA);
        return ComputeQuickModeHash2(in key, messageId, niB, rest, hash2);
    }

    /// <summary>Quick Mode HASH(2) with SKEYID_a prepared once.</summary>
    public static int ComputeQuickModeHash2(in PrfKey skeyidA, uint messageId, ReadOnlySpan<byte> niB,
        ReadOnlySpan<byte> rest, Span<byte> hash2)
    {
        using PrfContext context = StartWithMessageId(in skeyidA, prefixZero: false, messageId);
        context.Append(niB);
        context.Append(rest);
        return context.Finish(hash2);
    }

    /// <summary>Quick Mode HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) (RFC 2409 §5.5).</summary>
    public static int ComputeQuickModeHash3(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyidA, uint messageId,
        ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB, Span<byte> hash3)
    {
        using PrfKey key = PrfKey.Create(prf, skeyidA);
        return ComputeQuickModeHash3(in key, messageId, niB, nrB, hash3);
    }

    /// <summary>Quick Mode HASH(3) with SKEYID_a prepared once.</summary>
    public static int ComputeQuickModeHash3(in PrfKey skeyidA, uint messageId, ReadOnlySpan<byte> niB,
        ReadOnlySpan<byte> nrB, Span<byte> hash3)
    {
        using PrfContext context = StartWithMessageId(in skeyidA, prefixZero: true, messageId);
        context.Append(niB);
        context.Append(nrB);
        return context.Finish(hash3);
    }

    /// <summary>Informational HASH(1) = prf(SKEYID_a, M-ID | N/D) (RFC 2409 §5.7).</summary>
    public static int ComputeInformationalHash(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyidA, uint messageId,
        ReadOnlySpan<byte> notificationOrDelete, Span<byte> hash1)
    {
        using PrfKey key = PrfKey.Create(prf, skeyidA);
        return ComputeInformationalHash(in key, messageId, notificationOrDelete, hash1);
    }

    /// <summary>Informational HASH(1) with SKEYID_a prepared once.</summary>
    public static int ComputeInformationalHash(in PrfKey skeyidA, uint messageId,
        ReadOnlySpan<byte> notificationOrDelete, Span<byte> hash1)
    {
        using PrfContext context = StartWithMessageId(in skeyidA, prefixZero: false, messageId);
        context.Append(notificationOrDelete);
        return context.Finish(hash1);
    }

    /// <summary>
    /// KEYMAT for one SA direction (RFC 2409 §5.5): K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
    /// Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), KEYMAT = K1 | K2 | ... truncated to
    /// <paramref name="keymat"/>.Length (what the ESP/AH transforms need). Pass an empty
    /// <paramref name="quickModeSharedSecret"/> without PFS. The SPI is the one of the inbound SA of the side the
    /// keys are for (the SPI the receiving peer chose), as on the wire.
    /// </summary>
    public static void ComputeKeymat(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyidD,
        ReadOnlySpan<byte> quickModeSharedSecret, byte protocol, ReadOnlySpan<byte> spi, ReadOnlySpan<byte> niB,
        ReadOnlySpan<byte> nrB, Span<byte> keymat)
    {
        using PrfKey key = PrfKey.Create(prf, skeyidD);
        ComputeKeymat(in key, quickModeSharedSecret, protocol, spi, niB, nrB, keymat);
    }

    /// <summary>KEYMAT with SKEYID_d prepared once.</summary>
    public static void ComputeKeymat(in PrfKey skeyidD, ReadOnlySpan<byte> quickModeSharedSecret, byte protocol,
        ReadOnlySpan<byte> spi, ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB, Span<byte> keymat)
    {
        int size = IkeHashAlgorithmInfo.GetOutputSize(skeyidD.Algorithm);
        Span<byte> block = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        block = block[..size];
        for (int offset = 0; offset < keymat.Length; offset += size)
        {
            using PrfContext k = new(in skeyidD);
            if (offset > 0)
            {
                k.Append(block);
            }

            k.Append(quickModeSharedSecret);
            k.Append(protocol);
            k.Append(spi);
            k.Append(niB);
            k.Append(nrB);
            k.Finish(block);
            int take = Math.Min(size, keymat.Length - offset);
            block[..take].CopyTo(keymat[offset..]);
        }

        CryptographicOperations.ZeroMemory(block);
    }

    private static PrfContext StartWithMessageId(in PrfKey skeyidA, bool prefixZero, uint messageId)
    {
        PrfContext context = new(in skeyidA);
        if (prefixZero)
        {
            context.Append(0);
        }

        Span<byte> mid = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(mid, messageId);
        context.Append(mid);
        return context;
    }
}
