using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ike.Fast.Benchmarks.KeySchedule;

/// <summary>
/// The baseline: the same RFC 2409 computations written the straightforward way with .NET one-shots
/// (HMACSHA256.HashData over concatenated arrays, SHA256.HashData, Aes.EncryptCbc/DecryptCbc).
/// </summary>
internal static class DotNetOneShotHandshake
{
    internal static byte[] Prf(byte[] key, params byte[][] parts) => HMACSHA256.HashData(key, Concat(parts));

    internal static (byte[] Skeyid, byte[] D, byte[] A, byte[] E, byte[] Ka, byte[] Iv) Phase1(HandshakeInputs x)
    {
        byte[] skeyid = Prf(x.Psk, x.Ni, x.Nr);
        byte[] d = Prf(skeyid, x.Gxy, x.CkyI, x.CkyR, [0]);
        byte[] a = Prf(skeyid, d, x.Gxy, x.CkyI, x.CkyR, [1]);
        byte[] e = Prf(skeyid, a, x.Gxy, x.CkyI, x.CkyR, [2]);
        byte[] ka = e[..HandshakeInputs.KeySize];
        byte[] iv = SHA256.HashData(Concat(x.Gxi, x.Gxr))[..HandshakeInputs.BlockSize];
        return (skeyid, d, a, e, ka, iv);
    }

    internal static byte[] Keymat(byte[] skeyidD, byte[] spi, HandshakeInputs x)
    {
        byte[] k1 = Prf(skeyidD, [3], spi, x.QmNi, x.QmNr);
        byte[] k2 = Prf(skeyidD, k1, [3], spi, x.QmNi, x.QmNr);
        return Concat(k1, k2)[..HandshakeInputs.KeymatLength];
    }

    internal static int Phase1AndKeymat(HandshakeInputs x)
    {
        var k = Phase1(x);
        byte[] hashI = Prf(k.Skeyid, x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdiiB);
        byte[] hashR = Prf(k.Skeyid, x.Gxr, x.Gxi, x.CkyR, x.CkyI, x.SaiB, x.IdirB);
        byte[] keymat = Keymat(k.D, x.SpiR, x);
        return hashI[0] + hashR[0] + keymat[0];
    }

    internal static int ResponderHandshake(HandshakeInputs x, Aes aes)
    {
        var k = Phase1(x);
        aes.Key = k.Ka;

        byte[] mm5 = aes.DecryptCbc(x.Mm5, k.Iv, PaddingMode.None);
        byte[] hashI = Prf(k.Skeyid, x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdiiB);
        bool ok = CryptographicOperations.FixedTimeEquals(hashI, mm5.AsSpan(4, 32));
        byte[] hashR = Prf(k.Skeyid, x.Gxr, x.Gxi, x.CkyR, x.CkyI, x.SaiB, x.IdirB);
        byte[] mm6 = aes.EncryptCbc(x.Mm6, x.Mm5[^16..], PaddingMode.None);

        byte[] mid = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(mid, HandshakeInputs.MessageId);
        byte[] qmIv = SHA256.HashData(Concat(mm6[^16..], mid))[..16];
        byte[] qm1 = aes.DecryptCbc(x.Qm1, qmIv, PaddingMode.None);
        byte[] hash1 = Prf(k.A, mid, qm1[x.QmRestOffset..]);
        byte[] hash2 = Prf(k.A, mid, x.QmNi, x.Qm2[x.QmRestOffset..]);
        byte[] qm2 = aes.EncryptCbc(x.Qm2, x.Qm1[^16..], PaddingMode.None);
        byte[] qm3 = aes.DecryptCbc(x.Qm3, qm2[^16..], PaddingMode.None);
        byte[] hash3 = Prf(k.A, [0], mid, x.QmNi, x.QmNr);
        byte[] inbound = Keymat(k.D, x.SpiR, x);
        byte[] outbound = Keymat(k.D, x.SpiI, x);
        return (ok ? 1 : 0) + hashR[0] + hash1[0] + hash2[0] + hash3[0] + qm3[0] + inbound[0] + outbound[0];
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (byte[] part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }
}
