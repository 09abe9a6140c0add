using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ike.Fast.Crypto.KeySchedule;

/// <summary>
/// The IKEv1 Phase 1 derivations of RFC 2409 §5 and Appendix B over raw byte spans. "_b" inputs are payload
/// bodies without the generic payload header (RFC 2409 §5); CKY-I/CKY-R are the 8-byte cookies. The PRF is HMAC
/// with the negotiated hash (RFC 2409 §4); destinations must hold the PRF output size unless stated otherwise.
/// </summary>
[SkipLocalsInit]
public static class Phase1KeySchedule
{
    /// <summary>Longest Ni_b | Nr_b: nonces are 8..256 bytes (RFC 2408 §3.13).</summary>
    private const int MaxNoncePairLength = 512;

    /// <summary>For pre-shared keys: SKEYID = prf(pre-shared-key, Ni_b | Nr_b) (RFC 2409 §5).</summary>
    public static int ComputeSkeyidPreSharedKey(IkeHashAlgorithm prf, ReadOnlySpan<byte> preSharedKey,
        ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB, Span<byte> skeyid)
    {
        using PrfContext context = new(prf, preSharedKey);
        context.Append(niB);
        context.Append(nrB);
        return context.Finish(skeyid);
    }

    /// <summary>For signatures: SKEYID = prf(Ni_b | Nr_b, g^xy) (RFC 2409 §5).</summary>
    public static int ComputeSkeyidSignature(IkeHashAlgorithm prf, ReadOnlySpan<byte> niB, ReadOnlySpan<byte> nrB,
        ReadOnlySpan<byte> sharedSecret, Span<byte> skeyid)
    {
        if (niB.Length + nrB.Length > MaxNoncePairLength)
        {
            throw new ArgumentException("Nonces are at most 256 bytes each (RFC 2408 §3.13).");
        }

        // The key is the concatenation, so it has to exist contiguously once (nonces are public, no zeroing needed).
        Span<byte> key = stackalloc byte[MaxNoncePairLength];
        niB.CopyTo(key);
        nrB.CopyTo(key[niB.Length..]);
        using PrfContext context = new(prf, key[..(niB.Length + nrB.Length)]);
        context.Append(sharedSecret);
        return context.Finish(skeyid);
    }

    /// <summary>
    /// SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0), SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1),
    /// SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) (RFC 2409 §5).
    /// </summary>
    public static void ComputeSkeyidDerivatives(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyid,
        ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ckyI, ReadOnlySpan<byte> ckyR,
        Span<byte> skeyidD, Span<byte> skeyidA, Span<byte> skeyidE)
    {
        using PrfKey key = PrfKey.Create(prf, skeyid);
        ComputeSkeyidDerivatives(in key, sharedSecret, ckyI, ckyR, skeyidD, skeyidA, skeyidE);
    }

    /// <summary>As above with SKEYID prepared once (three PRF calls share its ipad/opad work).</summary>
    public static void ComputeSkeyidDerivatives(in PrfKey skeyid, ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> ckyI, ReadOnlySpan<byte> ckyR, Span<byte> skeyidD, Span<byte> skeyidA, Span<byte> skeyidE)
    {
        using (PrfContext d = new(in skeyid))
        {
            d.Append(sharedSecret);
            d.Append(ckyI);
            d.Append(ckyR);
            d.Append(0);
            d.Finish(skeyidD);
        }

        int size = IkeHashAlgorithmInfo.GetOutputSize(skeyid.Algorithm);
        using (PrfContext a = new(in skeyid))
        {
            a.Append(skeyidD[..size]);
            a.Append(sharedSecret);
            a.Append(ckyI);
            a.Append(ckyR);
            a.Append(1);
            a.Finish(skeyidA);
        }

        using (PrfContext e = new(in skeyid))
        {
            e.Append(skeyidA[..size]);
            e.Append(sharedSecret);
            e.Append(ckyI);
            e.Append(ckyR);
            e.Append(2);
            e.Finish(skeyidE);
        }
    }

    /// <summary>
    /// The encryption key Ka (RFC 2409 Appendix B): the first bytes of SKEYID_e when it is long enough, otherwise
    /// the first bytes of K1 | K2 | ... with K1 = prf(SKEYID_e, 0) and Kn = prf(SKEYID_e, Kn-1).
    /// Fills all of <paramref name="encryptionKey"/>.
    /// </summary>
    public static void ExpandEncryptionKey(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyidE, Span<byte> encryptionKey)
    {
        int size = IkeHashAlgorithmInfo.GetOutputSize(prf);
        if (skeyidE.Length >= encryptionKey.Length)
        {
            skeyidE[..encryptionKey.Length].CopyTo(encryptionKey);
            return;
        }

        Span<byte> block = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        block = block[..size];
        using PrfKey key = PrfKey.Create(prf, skeyidE);
        for (int offset = 0; offset < encryptionKey.Length; offset += size)
        {
            using PrfContext k = new(in key);
            if (offset == 0)
            {
                k.Append(0); // K1 = prf(SKEYID_e, 0): a single zero octet
            }
            else
            {
                k.Append(block);
            }

            k.Finish(block);
            int take = Math.Min(size, encryptionKey.Length - offset);
            block[..take].CopyTo(encryptionKey[offset..]);
        }

        CryptographicOperations.ZeroMemory(block);
    }

    /// <summary>
    /// The Phase 1 IV: hash(g^xi | g^xr) with the negotiated hash (not the PRF), truncated to the cipher block
    /// size = <paramref name="iv"/>.Length (RFC 2409 Appendix B).
    /// </summary>
    public static void ComputeInitialIv(IkeHashAlgorithm hash, ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr,
        Span<byte> iv)
    {
        Span<byte> digest = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        using HashContext context = new(hash);
        context.Append(gxi);
        context.Append(gxr);
        int size = context.Finish(digest);
        if (iv.Length > size)
        {
            throw new ArgumentException("IV longer than the hash output.", nameof(iv));
        }

        digest[..iv.Length].CopyTo(iv);
    }

    /// <summary>HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) (RFC 2409 §5).</summary>
    public static int ComputeHashI(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyid, ReadOnlySpan<byte> gxi,
        ReadOnlySpan<byte> gxr, ReadOnlySpan<byte> ckyI, ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> saiB,
        ReadOnlySpan<byte> idiiB, Span<byte> hashI) =>
        ComputeAuthenticationHash(prf, skeyid, gxi, gxr, ckyI, ckyR, saiB, idiiB, hashI);

    /// <summary>HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) (RFC 2409 §5).</summary>
    public static int ComputeHashR(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyid, ReadOnlySpan<byte> gxi,
        ReadOnlySpan<byte> gxr, ReadOnlySpan<byte> ckyI, ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> saiB,
        ReadOnlySpan<byte> idirB, Span<byte> hashR) =>
        ComputeAuthenticationHash(prf, skeyid, gxr, gxi, ckyR, ckyI, saiB, idirB, hashR);

    /// <summary>HASH_I with SKEYID prepared once.</summary>
    public static int ComputeHashI(in PrfKey skeyid, ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr,
        ReadOnlySpan<byte> ckyI, ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> saiB, ReadOnlySpan<byte> idiiB,
        Span<byte> hashI) =>
        ComputeAuthenticationHash(in skeyid, gxi, gxr, ckyI, ckyR, saiB, idiiB, hashI);

    /// <summary>HASH_R with SKEYID prepared once.</summary>
    public static int ComputeHashR(in PrfKey skeyid, ReadOnlySpan<byte> gxi, ReadOnlySpan<byte> gxr,
        ReadOnlySpan<byte> ckyI, ReadOnlySpan<byte> ckyR, ReadOnlySpan<byte> saiB, ReadOnlySpan<byte> idirB,
        Span<byte> hashR) =>
        ComputeAuthenticationHash(in skeyid, gxr, gxi, ckyR, ckyI, saiB, idirB, hashR);

    private static int ComputeAuthenticationHash(IkeHashAlgorithm prf, ReadOnlySpan<byte> skeyid,
        ReadOnlySpan<byte> gxFirst, ReadOnlySpan<byte> gxSecond, ReadOnlySpan<byte> ckyFirst,
        ReadOnlySpan<byte> ckySecond, ReadOnlySpan<byte> saiB, ReadOnlySpan<byte> idB, Span<byte> destination)
    {
        using PrfKey key = PrfKey.Create(prf, skeyid);
        return ComputeAuthenticationHash(in key, gxFirst, gxSecond, ckyFirst, ckySecond, saiB, idB, destination);
    }

    private static int ComputeAuthenticationHash(in PrfKey skeyid, ReadOnlySpan<byte> gxFirst,
        ReadOnlySpan<byte> gxSecond, ReadOnlySpan<byte> ckyFirst, ReadOnlySpan<byte> ckySecond,
        ReadOnlySpan<byte> saiB, ReadOnlySpan<byte> idB, Span<byte> destination)
    {
        using PrfContext context = new(in skeyid);
        context.Append(gxFirst);
        context.Append(gxSecond);
        context.Append(ckyFirst);
        context.Append(ckySecond);
        context.Append(saiB);
        context.Append(idB);
        return context.Finish(destination);
    }
}
