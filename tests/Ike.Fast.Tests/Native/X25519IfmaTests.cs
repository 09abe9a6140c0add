using System.Numerics;
using Ike.Native;
using Ike.Native.Ecc;
using NSec.Cryptography;

namespace Ike.Fast.Tests.Native;

/// <summary>
/// IkeFastNative_X25519Ifma8 / _X25519IfmaSupported through <see cref="IfmaX25519"/>: RFC 7748 section 5.2 and 6.1
/// vectors, thousands of random inputs against NSec (libsodium), the all-zero lane mask, partial lanes, misuse; and
/// the fixed-base comb (IkeFastNative_X25519Ifma8Base) against the ladder with u = 9 and NSec's public keys.
/// </summary>
public class X25519IfmaTests
{
    private static readonly BigInteger P = (BigInteger.One << 255) - 19;

    [Fact]
    public void Supported_matches_the_cpu_features()
    {
        Assert.Equal(
            Ike.Native.ModExp.IfmaModExpKernel.IsSupported ? 1 : 0,
            NativeLibraryInfo.IsAvailable ? Interop.IkeFastNativeEcc.X25519IfmaSupported() : 0);
    }

    [IfmaEccFact]
    public void Rfc7748_section_5_2_vectors()
    {
        byte[] scalars = Convert.FromHexString(
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4" +
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
        byte[] points = Convert.FromHexString(
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c" +
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
        byte[] results = new byte[64];
        Assert.Equal(0, IfmaX25519.Multiply(scalars, points, results, 2));
        Assert.Equal("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", Convert.ToHexStringLower(results[..32]));
        Assert.Equal("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957", Convert.ToHexStringLower(results[32..]));
    }

    [IfmaEccFact]
    public void Rfc7748_section_5_2_iterations_1_and_1000()
    {
        // k = u = 9; then k, u = X25519(k, u), k.
        byte[] k = new byte[32];
        byte[] u = new byte[32];
        k[0] = 9;
        u[0] = 9;
        byte[] r = new byte[32];
        for (int i = 1; i <= 1000; i++)
        {
            IfmaX25519.Multiply(k, u, r, 1);
            k.CopyTo(u);
            r.CopyTo(k);
            if (i == 1)
            {
                Assert.Equal("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", Convert.ToHexStringLower(k));
            }
        }

        Assert.Equal("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", Convert.ToHexStringLower(k));
    }

    [IfmaEccFact]
    public void Rfc7748_section_6_1_key_agreement()
    {
        byte[] alice = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] nine = new byte[32];
        nine[0] = 9;
        byte[] publics = new byte[64];
        Assert.Equal(0, IfmaX25519.Multiply([.. alice, .. bob], [.. nine, .. nine], publics, 2));
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(publics[..32]));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(publics[32..]));

        byte[] shared = new byte[64];
        Assert.Equal(0, IfmaX25519.Multiply([.. alice, .. bob], [.. publics[32..], .. publics[..32]], shared, 2));
        const string K = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        Assert.Equal(K, Convert.ToHexStringLower(shared[..32]));
        Assert.Equal(K, Convert.ToHexStringLower(shared[32..]));
    }

    [IfmaEccFact]
    public void Random_inputs_match_NSec()
    {
        const int Calls = 512; // 4096 scalar multiplications
        var random = new Random(25519);
        byte[] scalars = new byte[256];
        byte[] points = new byte[256];
        byte[] results = new byte[256];
        byte[] expected = new byte[32];
        var creation = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        for (int call = 0; call < Calls; call++)
        {
            random.NextBytes(scalars);
            random.NextBytes(points);
            int lanes = call % 8 == 7 ? 1 + random.Next(8) : 8;
            Assert.Equal(0, IfmaX25519.Multiply(scalars, points, results, lanes));
            for (int k = 0; k < lanes; k++)
            {
                using Key key = Key.Import(KeyAgreementAlgorithm.X25519, scalars.AsSpan(32 * k, 32), KeyBlobFormat.RawPrivateKey);
                byte[] u = points[(32 * k)..(32 * k + 32)];
                u[31] &= 0x7F; // RFC 7748: the top bit is ignored (ours masks it; give NSec the masked value)
                PublicKey peer = PublicKey.Import(KeyAgreementAlgorithm.X25519, u, KeyBlobFormat.RawPublicKey);
                using SharedSecret secret = KeyAgreementAlgorithm.X25519.Agree(key, peer, creation)!;
                secret.Export(SharedSecretBlobFormat.RawSharedSecret).CopyTo(expected, 0);
                Assert.True(expected.AsSpan().SequenceEqual(results.AsSpan(32 * k, 32)), $"call {call} lane {k}");
            }
        }
    }

    [IfmaEccFact]
    public void Non_canonical_u_values_reduce_mod_p_and_the_top_bit_is_ignored()
    {
        var random = new Random(7);
        byte[] scalars = new byte[256];
        random.NextBytes(scalars);
        byte[] canonical = new byte[256];
        byte[] nonCanonical = new byte[256];
        for (int k = 0; k < 8; k++)
        {
            BigInteger small = k + 2; // u and u + p (below 2^255), then with bit 255 set as well
            Le(small).CopyTo(canonical, 32 * k);
            byte[] alias = Le(small + P);
            if (k >= 4)
            {
                alias[31] |= 0x80;
            }

            alias.CopyTo(nonCanonical, 32 * k);
        }

        byte[] a = new byte[256];
        byte[] b = new byte[256];
        IfmaX25519.Multiply(scalars, canonical, a, 8);
        IfmaX25519.Multiply(scalars, nonCanonical, b, 8);
        Assert.Equal(a, b);
        foreach (byte[] r in a.Chunk(32))
        {
            Assert.True(new BigInteger(r, isUnsigned: true) < P); // results are canonical
        }
    }

    [IfmaEccFact]
    public void Low_order_points_give_all_zero_results_reported_per_lane()
    {
        var random = new Random(8);
        byte[] scalars = new byte[256];
        random.NextBytes(scalars);
        byte[] points = new byte[256];
        random.NextBytes(points);
        // Lanes 1, 4, 6: u = 0, u = 1 (order 4 point's x... maps to 0 after clamping), u = p (== 0).
        Array.Clear(points, 32, 32);
        Le(BigInteger.One).CopyTo(points, 128);
        Le(P).CopyTo(points, 192);
        byte[] results = new byte[256];
        int mask = IfmaX25519.Multiply(scalars, points, results, 8);
        Assert.Equal((1 << 1) | (1 << 4) | (1 << 6), mask);
        Assert.All(new[] { 1, 4, 6 }, k => Assert.True(results.AsSpan(32 * k, 32).IndexOfAnyExcept((byte)0) < 0));

        // Lanes beyond the count are neither computed nor reported.
        Assert.Equal(1 << 1, IfmaX25519.Multiply(scalars, points, results, 3));
    }

    [IfmaEccFact]
    public void Lanes_are_independent_of_each_other_and_of_the_lane_count()
    {
        var random = new Random(9);
        byte[] scalars = new byte[256];
        byte[] points = new byte[256];
        random.NextBytes(scalars);
        random.NextBytes(points);
        byte[] all = new byte[256];
        IfmaX25519.Multiply(scalars, points, all, 8);
        for (int k = 0; k < 8; k++)
        {
            byte[] one = new byte[32];
            IfmaX25519.Multiply(scalars.AsSpan(32 * k, 32), points.AsSpan(32 * k, 32), one, 1);
            Assert.Equal(all[(32 * k)..(32 * k + 32)], one);
        }
    }

    [IfmaEccFact]
    public void Fixed_base_gives_the_rfc7748_section_6_1_public_keys()
    {
        byte[] scalars = Convert.FromHexString(
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a" +
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] publics = new byte[64];
        Assert.Equal(0, IfmaX25519.MultiplyBase(scalars, publics, 2));
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(publics[..32]));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(publics[32..]));
    }

    [IfmaEccFact]
    public void Fixed_base_is_bit_identical_to_the_ladder_and_NSec_at_every_lane_fill()
    {
        // Random scalars mixed with edge scalars (clamping decides: all zeros, all ones, only the bits clamping
        // clears or sets, the smallest and largest clamped values, every radix-16 digit 8 or 15: the comb's carries).
        byte[][] edges =
        [
            new byte[32],
            Enumerable.Repeat((byte)0xFF, 32).ToArray(),
            [7, .. new byte[30], 0x80],
            [.. new byte[31], 0x40],
            [0xF8, .. Enumerable.Repeat((byte)0xFF, 30), 0x7F],
            Enumerable.Repeat((byte)0x88, 32).ToArray(),
            Enumerable.Repeat((byte)0x77, 32).ToArray(),
            Enumerable.Repeat((byte)0xF0, 32).ToArray(),
            Enumerable.Repeat((byte)0x0F, 32).ToArray(),
        ];
        var random = new Random(31);
        byte[] scalars = new byte[256];
        byte[] nines = new byte[256];
        for (int k = 0; k < 8; k++)
        {
            IfmaX25519.BasePoint.CopyTo(nines.AsSpan(32 * k));
        }

        byte[] comb = new byte[256];
        byte[] ladder = new byte[256];
        byte[] expected = new byte[32];
        for (int call = 0; call < 96; call++)
        {
            int lanes = 1 + (call % 8);
            random.NextBytes(scalars);
            for (int k = 0; k < lanes; k++)
            {
                if (random.Next(3) == 0)
                {
                    edges[random.Next(edges.Length)].CopyTo(scalars, 32 * k);
                }
            }

            comb.AsSpan().Fill(0xAA);
            Assert.Equal(0, IfmaX25519.MultiplyBase(scalars, comb, lanes));
            Assert.Equal(0, IfmaX25519.Multiply(scalars, nines, ladder, lanes));
            Assert.Equal(ladder.AsSpan(0, 32 * lanes).ToArray(), comb.AsSpan(0, 32 * lanes).ToArray());
            Assert.All(comb[(32 * lanes)..], b => Assert.Equal(0xAA, b)); // lanes beyond the count are not written
            for (int k = 0; k < lanes; k++)
            {
                using Key key = Key.Import(KeyAgreementAlgorithm.X25519, scalars.AsSpan(32 * k, 32), KeyBlobFormat.RawPrivateKey);
                key.PublicKey.Export(KeyBlobFormat.RawPublicKey).CopyTo(expected, 0);
                Assert.True(expected.AsSpan().SequenceEqual(comb.AsSpan(32 * k, 32)), $"call {call} lane {k}");
            }
        }
    }

    [IfmaEccFact]
    public void Fixed_base_lanes_are_independent_of_the_lane_count()
    {
        var random = new Random(10);
        byte[] scalars = new byte[256];
        random.NextBytes(scalars);
        byte[] all = new byte[256];
        IfmaX25519.MultiplyBase(scalars, all, 8);
        for (int k = 0; k < 8; k++)
        {
            byte[] one = new byte[32];
            IfmaX25519.MultiplyBase(scalars.AsSpan(32 * k, 32), one, 1);
            Assert.Equal(all[(32 * k)..(32 * k + 32)], one);
        }
    }

    [Fact]
    public void Fixed_base_misuse_throws_and_the_native_entry_checks_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IfmaX25519.MultiplyBase(new byte[32], new byte[32], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IfmaX25519.MultiplyBase(new byte[288], new byte[288], 9));
        Assert.Throws<ArgumentException>(() => IfmaX25519.MultiplyBase(new byte[32], new byte[64], 2));
        byte[] shared = new byte[64];
        Assert.Throws<ArgumentException>(() => IfmaX25519.MultiplyBase(shared.AsSpan(0, 32), shared.AsSpan(16, 32), 1));
        if (NativeLibraryInfo.IsAvailable)
        {
            unsafe
            {
                byte* buffer = stackalloc byte[64];
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.X25519Ifma8Base(null, buffer, 1));
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.X25519Ifma8Base(buffer, null, 1));
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.X25519Ifma8Base(buffer, buffer, 0));
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.X25519Ifma8Base(buffer, buffer, 9));
            }
        }
    }

    [Fact]
    public void Misuse_throws_and_the_native_entry_checks_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IfmaX25519.Multiply(new byte[32], new byte[32], new byte[32], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IfmaX25519.Multiply(new byte[288], new byte[288], new byte[288], 9));
        Assert.Throws<ArgumentException>(() => IfmaX25519.Multiply(new byte[32], new byte[32], new byte[32], 2));
        byte[] shared = new byte[64];
        Assert.Throws<ArgumentException>(() => IfmaX25519.Multiply(shared.AsSpan(0, 32), new byte[32], shared.AsSpan(16, 32), 1));
        if (NativeLibraryInfo.IsAvailable)
        {
            unsafe
            {
                byte* buffer = stackalloc byte[32];
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.X25519Ifma8(null, buffer, buffer, 1));
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.X25519Ifma8(buffer, buffer, buffer, 0));
                Assert.Equal(Interop.IkeFastNativeEcc.Argument, Interop.IkeFastNativeEcc.X25519Ifma8(buffer, buffer, buffer, 9));
            }
        }
    }

    private static byte[] Le(BigInteger value)
    {
        byte[] bytes = new byte[32];
        value.TryWriteBytes(bytes, out _, isUnsigned: true);
        return bytes;
    }
}
