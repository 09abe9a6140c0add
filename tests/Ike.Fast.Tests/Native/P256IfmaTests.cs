using System.Numerics;
using System.Security.Cryptography;
using Ike.Native;
using Ike.Native.Ecc;

namespace Ike.Fast.Tests.Native;

/// <summary>
/// IkeFastNative_P256Ifma8 / _P256IfmaSupported through <see cref="IfmaP256"/>: RFC 5903 section 8.1, random inputs
/// against .NET ECDiffieHellman (OpenSSL), edge scalars, invalid points flagged per lane, misuse.
/// </summary>
public class P256IfmaTests
{
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);
    private static readonly byte[] PBytes = Convert.FromHexString("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
    private static readonly byte[] G = Convert.FromHexString(
        "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296" +
        "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");

    [Fact]
    public void Supported_matches_the_cpu_features()
    {
        Assert.Equal(
            Ike.Native.ModExp.IfmaModExpKernel.IsSupported ? 1 : 0,
            NativeLibraryInfo.IsAvailable ? Interop.IkeFastNativeEcc.P256IfmaSupported() : 0);
    }

    [IfmaEccFact]
    public void Rfc5903_section_8_1_vectors()
    {
        byte[] i = Convert.FromHexString("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433");
        byte[] r = Convert.FromHexString("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53");
        byte[] gi = Convert.FromHexString(
            "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180" +
            "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3");
        byte[] gr = Convert.FromHexString(
            "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63" +
            "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB");
        byte[] results = new byte[128];
        P256LaneStatus status = IfmaP256.Multiply([.. i, .. r, .. i, .. r], [.. G, .. G, .. gr, .. gi], results, 4);
        Assert.Equal(0, status.Failed);
        Assert.Equal(gi[..32], results[..32]);
        Assert.Equal(gr[..32], results[32..64]);
        const string Shared = "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE";
        Assert.Equal(Shared, Convert.ToHexString(results[64..96]));
        Assert.Equal(Shared, Convert.ToHexString(results[96..]));
    }

    [IfmaEccFact]
    public void Random_inputs_match_dotnet_ECDiffieHellman()
    {
        const int Calls = 40; // 320 agreements (each .NET key is a fresh OpenSSL key pair)
        var random = new Random(19);
        byte[] scalars = new byte[256];
        byte[] points = new byte[512];
        byte[] results = new byte[256];
        var expected = new byte[8][];
        for (int call = 0; call < Calls; call++)
        {
            int lanes = call % 5 == 4 ? 1 + random.Next(8) : 8;
            for (int k = 0; k < lanes; k++)
            {
                using var ours = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                ECParameters mine = ours.ExportParameters(includePrivateParameters: true);
                ECParameters theirs = peer.ExportParameters(includePrivateParameters: false);
                mine.D!.CopyTo(scalars, 32 * k);
                theirs.Q.X!.CopyTo(points, 64 * k);
                theirs.Q.Y!.CopyTo(points, 64 * k + 32);
                expected[k] = ours.DeriveRawSecretAgreement(peer.PublicKey);
            }

            Assert.Equal(0, IfmaP256.Multiply(scalars, points, results, lanes).Failed);
            for (int k = 0; k < lanes; k++)
            {
                Assert.True(expected[k].AsSpan().SequenceEqual(results.AsSpan(32 * k, 32)), $"call {call} lane {k}");
            }
        }
    }

    [IfmaEccFact]
    public void Edge_scalars_one_n_minus_one_and_n()
    {
        byte[] scalars = [.. Be(BigInteger.One), .. Be(N - 1), .. Be(N), .. Be(BigInteger.Zero), .. Be(2)];
        byte[] points = [.. G, .. G, .. G, .. G, .. G];
        byte[] results = new byte[160];
        P256LaneStatus status = IfmaP256.Multiply(scalars, points, results, 5);
        Assert.Equal((1 << 2) | (1 << 3), status.Infinity); // n * G and 0 * G are the point at infinity
        Assert.Equal(0, status.InvalidPoint);
        Assert.Equal(G[..32], results[..32]);
        Assert.Equal(G[..32], results[32..64]); // (n - 1) G = -G: same x
        Assert.True(results.AsSpan(64, 64).IndexOfAnyExcept((byte)0) < 0);

        using var key = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = Be(2), Q = DeriveQ(Be(2)) });
        Assert.Equal(key.ExportParameters(false).Q.X, results[128..]);
    }

    [IfmaEccFact]
    public void Scalars_at_or_above_n_act_as_their_residue_mod_n()
    {
        // The kernel reduces scalars mod n first (its Jacobian window scan relies on scalars below n): k + n and
        // k must give the same point, for k below 2^256 - n (so k + n still fits 32 bytes), every lane fill.
        var random = new Random(5903);
        BigInteger room = BigInteger.Pow(2, 256) - N;
        for (int call = 0; call < 16; call++)
        {
            int lanes = 1 + (call % 8);
            byte[] low = new byte[32 * lanes];
            byte[] high = new byte[32 * lanes];
            byte[] points = new byte[64 * lanes];
            for (int k = 0; k < lanes; k++)
            {
                var bytes = new byte[32];
                random.NextBytes(bytes);
                BigInteger scalar = (new BigInteger(bytes, isUnsigned: true) % (room - 1)) + 1;
                Be(scalar).CopyTo(low, 32 * k);
                Be(scalar + N).CopyTo(high, 32 * k);
                using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                ECParameters q = peer.ExportParameters(false);
                q.Q.X!.CopyTo(points, 64 * k);
                q.Q.Y!.CopyTo(points, 64 * k + 32);
            }

            byte[] expected = new byte[32 * lanes];
            byte[] actual = new byte[32 * lanes];
            Assert.Equal(0, IfmaP256.Multiply(low, points, expected, lanes).Failed);
            Assert.Equal(0, IfmaP256.Multiply(high, points, actual, lanes).Failed);
            Assert.Equal(expected, actual);
        }
    }

    [IfmaEccFact]
    public void Small_scalars_match_dotnet_ECDiffieHellman()
    {
        // Scalars 1..40: the accumulator stays the identity through all but the last windows, and every table entry
        // (and zero windows) is used at the end of the scan.
        byte[] scalars = new byte[256];
        byte[] points = new byte[512];
        byte[] results = new byte[256];
        for (int first = 1; first <= 40; first += 8)
        {
            var expected = new byte[8][];
            for (int k = 0; k < 8; k++)
            {
                byte[] d = Be(first + k);
                d.CopyTo(scalars, 32 * k);
                G.CopyTo(points, 64 * k);
                expected[k] = DeriveQ(d).X!;
            }

            Assert.Equal(0, IfmaP256.Multiply(scalars, points, results, 8).Failed);
            for (int k = 0; k < 8; k++)
            {
                Assert.True(expected[k].AsSpan().SequenceEqual(results.AsSpan(32 * k, 32)), $"scalar {first + k}");
            }
        }
    }

    [IfmaEccFact]
    public void Invalid_points_are_flagged_per_lane_with_zero_results()
    {
        var random = new Random(20);
        byte[] scalars = new byte[256];
        random.NextBytes(scalars);
        scalars[0] = 0x7F;
        byte[] points = new byte[512];
        for (int k = 0; k < 8; k++)
        {
            G.CopyTo(points, 64 * k);
        }

        points[64 + 63] ^= 1;                       // lane 1: y changed, off the curve
        PBytes.CopyTo(points, 64 * 3);              // lane 3: x = p
        PBytes.CopyTo(points, 64 * 4 + 32);         // lane 4: y = p
        Array.Clear(points, 64 * 6, 64);            // lane 6: (0, 0), not on the curve
        byte[] results = new byte[256];
        Array.Fill(results, (byte)0xAA);
        P256LaneStatus status = IfmaP256.Multiply(scalars, points, results, 8);
        int bad = (1 << 1) | (1 << 3) | (1 << 4) | (1 << 6);
        Assert.Equal(bad, status.InvalidPoint);
        for (int k = 0; k < 8; k++)
        {
            bool zero = results.AsSpan(32 * k, 32).IndexOfAnyExcept((byte)0) < 0;
            Assert.Equal((bad >> k & 1) == 1, zero);
        }
    }

    [IfmaEccFact]
    public void MultiplyPoint_on_the_generator_gives_rfc5903_public_values_x_and_y()
    {
        // RFC 5903 section 8.1: gi = i G and gr = r G as whole KE payloads (x || y); a peer point gives the shared x first.
        byte[] i = Convert.FromHexString("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433");
        byte[] r = Convert.FromHexString("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53");
        byte[] gi = Convert.FromHexString(
            "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180" +
            "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3");
        byte[] gr = Convert.FromHexString(
            "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63" +
            "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB");
        byte[] results = new byte[192];
        P256LaneStatus status = IfmaP256.MultiplyPoint([.. i, .. r, .. i], [.. G, .. G, .. gr], results, 3);
        Assert.Equal(0, status.Failed);
        Assert.Equal(gi, results[..64]);
        Assert.Equal(gr, results[64..128]);
        Assert.Equal("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE", Convert.ToHexString(results[128..160]));
    }

    [IfmaEccFact]
    public void MultiplyPoint_key_pairs_match_dotnet_public_keys_at_every_fill()
    {
        // d G computed on the lanes is bit-identical to the public key .NET (OpenSSL) derives from the same d.
        var random = new Random(256);
        for (int lanes = 1; lanes <= 8; lanes++)
        {
            var (scalars, points, expected) = DotNetKeyPairs(lanes);
            byte[] results = new byte[64 * lanes];

            random.NextBytes(results); // stale bytes must be overwritten
            Assert.Equal(0, IfmaP256.MultiplyPoint(scalars, points, results, lanes).Failed);
            for (int k = 0; k < lanes; k++)
            {
                Assert.True(expected[k].AsSpan().SequenceEqual(results.AsSpan(64 * k, 64)), $"fill {lanes} lane {k}");
            }
        }
    }

    [IfmaEccFact]
    public void MultiplyPoint_small_scalars_and_flagged_lanes()
    {
        // 1..7 G (the end of the window scan) against .NET, and an invalid point and the zero scalar: 64 zero bytes.
        byte[] scalars = new byte[256];
        byte[] points = new byte[512];
        for (int k = 0; k < 8; k++)
        {
            Be(k).CopyTo(scalars, 32 * k); // lane 0: scalar 0, infinity
            G.CopyTo(points, 64 * k);
        }

        points[64 * 5 + 63] ^= 1; // lane 5: off the curve
        byte[] results = new byte[512];
        Array.Fill(results, (byte)0xAA);
        P256LaneStatus status = IfmaP256.MultiplyPoint(scalars, points, results, 8);
        Assert.Equal(1, status.Infinity);
        Assert.Equal(1 << 5, status.InvalidPoint);
        for (int k = 0; k < 8; k++)
        {
            if (k is 0 or 5)
            {
                Assert.True(results.AsSpan(64 * k, 64).IndexOfAnyExcept((byte)0) < 0, $"lane {k}");
                continue;
            }

            ECPoint q = DeriveQ(Be(k));
            Assert.Equal([.. q.X!, .. q.Y!], results[(64 * k)..(64 * k + 64)]);
        }

        Assert.Throws<ArgumentException>(() => IfmaP256.MultiplyPoint(new byte[64], new byte[128], new byte[64], 2));
    }

    [IfmaEccFact]
    public void MultiplyBase_equals_MultiplyPoint_on_G_and_dotnet_at_every_fill()
    {
        // The fixed-base comb against the variable-base kernel (bit-identical) and .NET's public key for the same d.
        var random = new Random(1919);
        for (int lanes = 1; lanes <= 8; lanes++)
        {
            var (scalars, points, expected) = DotNetKeyPairs(lanes);

            byte[] comb = new byte[64 * lanes];
            byte[] scan = new byte[64 * lanes];
            random.NextBytes(comb);
            Assert.Equal(0, IfmaP256.MultiplyBase(scalars, comb, lanes).Failed);
            Assert.Equal(0, IfmaP256.MultiplyPoint(scalars, points, scan, lanes).Failed);
            Assert.Equal(scan, comb);
            for (int k = 0; k < lanes; k++)
            {
                Assert.True(expected[k].AsSpan().SequenceEqual(comb.AsSpan(64 * k, 64)), $"fill {lanes} lane {k}");
            }
        }
    }

    [IfmaEccFact]
    public void MultiplyBase_edge_scalars()
    {
        // 1 and n - 1 (G and -G), 0 and n (infinity: flagged, zeros), 2^256 - 1 (reduced mod n), a single window set
        // at the top and at the bottom (the comb's first and last additions onto the identity), all windows 0xF.
        byte[] top = new byte[32];
        top[0] = 0x70;
        byte[] ones = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        byte[] fs = Be(N - 1 - BigInteger.Parse("0123456789", System.Globalization.NumberStyles.HexNumber));
        byte[][] scalars = [Be(BigInteger.One), Be(N - 1), Be(BigInteger.Zero), Be(N), ones, top, Be(15), fs];
        byte[] input = [.. scalars.SelectMany(x => x)];
        byte[] comb = new byte[512];
        byte[] scan = new byte[512];
        byte[] points = [.. Enumerable.Range(0, 8).SelectMany(_ => G)];
        P256LaneStatus status = IfmaP256.MultiplyBase(input, comb, 8);
        Assert.Equal((1 << 2) | (1 << 3), status.Infinity);
        Assert.Equal(0, status.InvalidPoint);
        Assert.Equal(status, IfmaP256.MultiplyPoint(input, points, scan, 8));
        Assert.Equal(scan, comb);
        Assert.Equal(G, comb[..64]);
        Assert.Equal(G[..32], comb[64..96]); // -G: same x
        Assert.True(comb.AsSpan(128, 128).IndexOfAnyExcept((byte)0) < 0);
        ECPoint q = DeriveQ(Be(new BigInteger(ones, isUnsigned: true, isBigEndian: true) % N));
        Assert.Equal([.. q.X!, .. q.Y!], comb[256..320]);
        Assert.Throws<ArgumentException>(() => IfmaP256.MultiplyBase(new byte[32], new byte[32], 1));
    }

    [Fact]
    public void Misuse_throws_and_the_native_entry_checks_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IfmaP256.Multiply(new byte[32], new byte[64], new byte[32], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IfmaP256.Multiply(new byte[288], new byte[576], new byte[288], 9));
        Assert.Throws<ArgumentException>(() => IfmaP256.Multiply(new byte[64], new byte[64], new byte[64], 2));
        if (NativeLibraryInfo.IsAvailable)
        {
            unsafe
            {
                byte* buffer = stackalloc byte[64];
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.P256Ifma8(buffer, null, buffer, 1));
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.P256Ifma8(buffer, buffer, buffer, 9));
            }
        }
    }

    private static ECPoint DeriveQ(byte[] d)
    {
        using var key = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
        return key.ExportParameters(false).Q;
    }

    private static byte[] Be(BigInteger value)
    {
        byte[] bytes = new byte[32];
        value.TryWriteBytes(bytes.AsSpan(32 - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }

    /// <summary>Key pairs made by .NET (OpenSSL): the private scalars, G in every lane, and each public key x || y.</summary>
    private static (byte[] Scalars, byte[] Points, byte[][] Expected) DotNetKeyPairs(int lanes)
    {
        byte[] scalars = new byte[32 * lanes];
        byte[] points = new byte[64 * lanes];
        var expected = new byte[lanes][];
        for (int k = 0; k < lanes; k++)
        {
            using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            ECParameters p = key.ExportParameters(includePrivateParameters: true);
            p.D!.CopyTo(scalars, 32 * k);
            G.CopyTo(points, 64 * k);
            expected[k] = [.. p.Q.X!, .. p.Q.Y!];
        }

        return (scalars, points, expected);
    }
}
