using System.Text;
using CsCheck;
using Ike.Fast.Crypto;

namespace Ike.Fast.Tests.Crypto;

public class PrfContextTests
{
    private static readonly IkeHashAlgorithm[] s_all =
        [IkeHashAlgorithm.Md5, IkeHashAlgorithm.Sha1, IkeHashAlgorithm.Sha256, IkeHashAlgorithm.Sha384, IkeHashAlgorithm.Sha512];

    // RFC 4231 §4 test cases 1, 2, 3, 4, 6, 7 (case 5 is a truncated output, not a PRF use).
    public static TheoryData<int, string, string> Rfc4231Inputs => new()
    {
        { 1, Convert.ToHexString(Enumerable.Repeat((byte)0x0b, 20).ToArray()), Convert.ToHexString("Hi There"u8) },
        { 2, Convert.ToHexString("Jefe"u8), Convert.ToHexString("what do ya want for nothing?"u8) },
        { 3, Convert.ToHexString(Enumerable.Repeat((byte)0xaa, 20).ToArray()), Convert.ToHexString(Enumerable.Repeat((byte)0xdd, 50).ToArray()) },
        { 4, "0102030405060708090a0b0c0d0e0f10111213141516171819", Convert.ToHexString(Enumerable.Repeat((byte)0xcd, 50).ToArray()) },
        { 6, Convert.ToHexString(Enumerable.Repeat((byte)0xaa, 131).ToArray()), Convert.ToHexString("Test Using Larger Than Block-Size Key - Hash Key First"u8) },
        { 7, Convert.ToHexString(Enumerable.Repeat((byte)0xaa, 131).ToArray()), Convert.ToHexString(Encoding.ASCII.GetBytes("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.")) },
    };

    private static readonly Dictionary<(int, IkeHashAlgorithm), string> s_rfc4231 = new()
    {
        [(1, IkeHashAlgorithm.Sha256)] = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        [(1, IkeHashAlgorithm.Sha384)] = "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
        [(1, IkeHashAlgorithm.Sha512)] = "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        [(2, IkeHashAlgorithm.Sha256)] = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        [(2, IkeHashAlgorithm.Sha384)] = "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
        [(2, IkeHashAlgorithm.Sha512)] = "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        [(3, IkeHashAlgorithm.Sha256)] = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        [(3, IkeHashAlgorithm.Sha384)] = "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
        [(3, IkeHashAlgorithm.Sha512)] = "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
        [(4, IkeHashAlgorithm.Sha256)] = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        [(4, IkeHashAlgorithm.Sha384)] = "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
        [(4, IkeHashAlgorithm.Sha512)] = "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
        [(6, IkeHashAlgorithm.Sha256)] = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        [(6, IkeHashAlgorithm.Sha384)] = "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
        [(6, IkeHashAlgorithm.Sha512)] = "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        [(7, IkeHashAlgorithm.Sha256)] = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        [(7, IkeHashAlgorithm.Sha384)] = "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
        [(7, IkeHashAlgorithm.Sha512)] = "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
    };

    [Theory]
    [MemberData(nameof(Rfc4231Inputs))]
    public void Rfc4231_HmacSha2_AllBackends(int testCase, string keyHex, string dataHex)
    {
        byte[] key = Convert.FromHexString(keyHex), data = Convert.FromHexString(dataHex);
        foreach (IkeHashAlgorithm algorithm in new[] { IkeHashAlgorithm.Sha256, IkeHashAlgorithm.Sha384, IkeHashAlgorithm.Sha512 })
        {
            byte[] expected = Convert.FromHexString(s_rfc4231[(testCase, algorithm)]);
            foreach (HashBackend backend in HashBackends.For(algorithm))
            {
                Assert.Equal(expected, HashBackends.Prf(algorithm, backend, key, data));
            }

            var oneShot = new byte[expected.Length];
            Assert.True(Prf.TryCompute(algorithm, key, data, oneShot, out int written));
            Assert.Equal(expected.Length, written);
            Assert.Equal(expected, oneShot);
        }
    }

    // RFC 2202 §2 (HMAC-MD5) and §3 (HMAC-SHA-1), all seven cases each.
    [Theory]
    [InlineData(IkeHashAlgorithm.Md5, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "9294727a3638bb1c13f48ef8158bfc9d")]
    [InlineData(IkeHashAlgorithm.Md5, "4a656665", "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738")]
    [InlineData(IkeHashAlgorithm.Md5, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "dd*50", "56be34521d144c88dbb8c733f0e8b3f6")]
    [InlineData(IkeHashAlgorithm.Md5, "0102030405060708090a0b0c0d0e0f10111213141516171819", "cd*50", "697eaf0aca3a3aea3a75164746ffaa79")]
    [InlineData(IkeHashAlgorithm.Md5, "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "Test With Truncation", "56461ef2342edc00f9bab995690efd4c")]
    [InlineData(IkeHashAlgorithm.Md5, "aa*80", "Test Using Larger Than Block-Size Key - Hash Key First", "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd")]
    [InlineData(IkeHashAlgorithm.Md5, "aa*80", "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data", "6f630fad67cda0ee1fb1f562db3aa53e")]
    [InlineData(IkeHashAlgorithm.Sha1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00")]
    [InlineData(IkeHashAlgorithm.Sha1, "4a656665", "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")]
    [InlineData(IkeHashAlgorithm.Sha1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "dd*50", "125d7342b9ac11cd91a39af48aa17b4f63f175d3")]
    [InlineData(IkeHashAlgorithm.Sha1, "0102030405060708090a0b0c0d0e0f10111213141516171819", "cd*50", "4c9007f4026250c6bc8414f9bf50c86c2d7235da")]
    [InlineData(IkeHashAlgorithm.Sha1, "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "Test With Truncation", "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04")]
    [InlineData(IkeHashAlgorithm.Sha1, "aa*80", "Test Using Larger Than Block-Size Key - Hash Key First", "aa4ae5e15272d00e95705637ce8a3b55ed402112")]
    [InlineData(IkeHashAlgorithm.Sha1, "aa*80", "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data", "e8e99d0f45237d786d6bbaa7965c7808bbff1a91")]
    public void Rfc2202_HmacMd5AndSha1_AllBackends(IkeHashAlgorithm algorithm, string key, string data, string expectedHex)
    {
        byte[] expected = Convert.FromHexString(expectedHex);
        foreach (HashBackend backend in HashBackends.For(algorithm))
        {
            Assert.Equal(expected, HashBackends.Prf(algorithm, backend, Expand(key, hex: true), Expand(data, hex: false)));
        }
    }

    [Fact]
    public void MultiPartInput_EqualsDotNetOneShot_ForEveryAlgorithmAndBackend()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Byte.Array[0, 400], Gen.Int[0, 400], Gen.Int[0, 400])
            .Sample(t =>
            {
                (byte[] key, byte[] data, int cut1, int cut2) = t;
                int a = Math.Min(cut1, data.Length), b = Math.Max(a, Math.Min(cut2, data.Length));
                foreach (IkeHashAlgorithm algorithm in s_all)
                {
                    byte[] expected = HashBackends.Hmac(algorithm, key, data);
                    foreach (HashBackend backend in HashBackends.For(algorithm))
                    {
                        byte[] actual = HashBackends.Prf(algorithm, backend, key, data[..a], data[a..b], data[b..]);
                        if (!expected.AsSpan().SequenceEqual(actual))
                        {
                            throw new Xunit.Sdk.XunitException($"{algorithm}/{backend} key {key.Length} data {data.Length} cuts {a},{b}");
                        }
                    }
                }
            }, iter: 150);
    }

    [Fact]
    public void PlainHash_EqualsDotNet_ForEveryAlgorithmAndBackend()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Int[0, 300]).Sample(t =>
        {
            (byte[] data, int cut) = t;
            int a = Math.Min(cut, data.Length);
            foreach (IkeHashAlgorithm algorithm in s_all)
            {
                byte[] expected = HashBackends.Hash(algorithm, data);
                foreach (HashBackend backend in HashBackends.For(algorithm))
                {
                    var actual = new byte[expected.Length];
                    using HashContext hash = new(algorithm, backend);
                    hash.Append(data.AsSpan(0, a));
                    hash.Append(data.AsSpan(a));
                    Assert.Equal(expected.Length, hash.Finish(actual));
                    Assert.Equal(expected, actual);
                }
            }
        }, iter: 150);
    }

    [Fact]
    public void EveryLengthAroundThePaddingAndKeyBlockBoundaries_EqualsDotNet()
    {
        // Padding edge cases (55/56/63/64/119/120/127/128 bytes) and keys of B-1, B, B+1 bytes (RFC 2104 §2).
        byte[] data = Enumerable.Range(0, 260).Select(i => (byte)(i * 7)).ToArray();
        foreach (IkeHashAlgorithm algorithm in s_all)
        {
            int block = IkeHashAlgorithmInfo.GetBlockSize(algorithm);
            foreach (HashBackend backend in HashBackends.For(algorithm))
            {
                for (int length = 0; length <= 2 * block + 2; length++)
                {
                    byte[] input = data[..length];
                    var digest = new byte[IkeHashAlgorithmInfo.GetOutputSize(algorithm)];
                    using (HashContext hash = new(algorithm, backend))
                    {
                        hash.Append(input);
                        hash.Finish(digest);
                    }

                    Assert.Equal(HashBackends.Hash(algorithm, input), digest);
                    if (length is >= 1 && Math.Abs(length - block) <= 1 || length == 2 * block + 2)
                    {
                        Assert.Equal(HashBackends.Hmac(algorithm, input, data), HashBackends.Prf(algorithm, backend, input, data));
                    }
                }
            }
        }
    }

    [Fact]
    public void TryFinish_ShortDestination_ReturnsFalse_AndFinishThrows()
    {
        using PrfContext prf = new(IkeHashAlgorithm.Sha256, "k"u8);
        Assert.False(prf.TryFinish(new byte[31], out int written));
        Assert.Equal(0, written);
        Assert.False(Prf.TryCompute(IkeHashAlgorithm.Sha1, "k"u8, "d"u8, new byte[19], out _));
        Assert.Throws<ArgumentException>(() =>
        {
            using PrfContext p = new(IkeHashAlgorithm.Md5, "k"u8);
            p.Finish(new byte[15]);
        });
    }

    [Fact]
    public void NestedContextsOfOneAlgorithm_DoNotInterfere()
    {
        foreach (IkeHashAlgorithm algorithm in s_all)
        {
            foreach (HashBackend backend in HashBackends.For(algorithm))
            {
                var outer = new byte[IkeHashAlgorithmInfo.GetOutputSize(algorithm)];
                var inner = new byte[outer.Length];
                using PrfContext a = new(algorithm, "key-a"u8, backend);
                a.Append("first"u8);
                using (PrfContext b = new(algorithm, "key-b"u8, backend))
                {
                    b.Append("other"u8);
                    b.Finish(inner);
                }

                a.Append("second"u8);
                a.Finish(outer);
                Assert.Equal(HashBackends.Hmac(algorithm, "key-a"u8.ToArray(), "firstsecond"u8.ToArray()), outer);
                Assert.Equal(HashBackends.Hmac(algorithm, "key-b"u8.ToArray(), "other"u8.ToArray()), inner);
            }
        }
    }

    [Fact]
    public void PreparedPrfKey_ReusedManyTimes_EqualsDotNet_AndDisposeForgetsIt()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Byte.Array[0, 300]).Sample(t =>
        {
            (byte[] key, byte[] data) = t;
            foreach (IkeHashAlgorithm algorithm in s_all)
            {
                byte[] expected = HashBackends.Hmac(algorithm, key, data);
                foreach (HashBackend backend in HashBackends.For(algorithm))
                {
                    PrfKey prepared = PrfKey.Create(algorithm, key, backend);
                    for (int i = 0; i < 3; i++)
                    {
                        var actual = new byte[expected.Length];
                        using PrfContext prf = new(in prepared);
                        prf.Append(data);
                        prf.Finish(actual);
                        Assert.Equal(expected, actual);
                    }

                    prepared.Dispose();
                    Assert.False(prepared.IsInitialized);
                    Assert.Throws<InvalidOperationException>(() => new PrfContext(in prepared).Dispose());
                }
            }
        }, iter: 60);
    }

    /// <summary>
    /// The midstates and the padded key blocks share their bytes (issue #8): one key re-initialised in place across
    /// algorithms and backends (as the pinned key buffer of an ISAKMP SA is reused) still gives the reference HMAC.
    /// </summary>
    [Fact]
    public void PrfKeyReinitialisedAcrossAlgorithmsAndBackends_EqualsDotNet_AndIsSmall()
    {
        Assert.True(System.Runtime.CompilerServices.Unsafe.SizeOf<PrfKey>() <= 272);
        byte[] data = "the quick brown fox"u8.ToArray();
        PrfKey prepared = default;
        for (int round = 0; round < 2; round++)
        {
            foreach (IkeHashAlgorithm algorithm in s_all)
            {
                foreach (HashBackend backend in HashBackends.For(algorithm))
                {
                    byte[] key = Encoding.ASCII.GetBytes($"key-{algorithm}-{backend}-{round}");
                    prepared.Initialize(algorithm, key, backend);
                    byte[] expected = HashBackends.Hmac(algorithm, key, data);
                    var actual = new byte[expected.Length];
                    using PrfContext prf = new(in prepared);
                    prf.Append(data);
                    prf.Finish(actual);
                    Assert.Equal(expected, actual);
                }
            }
        }

        prepared.Dispose();
    }

    [Fact]
    public void UnsupportedAlgorithm_Throws()
    {
        Assert.Throws<NotSupportedException>(() => new PrfContext((IkeHashAlgorithm)3, "k"u8).Dispose());
    }

    private static byte[] Expand(string spec, bool hex)
    {
        // "aa*80" = 80 bytes of 0xaa, as RFC 2202 writes them.
        int star = spec.IndexOf('*', StringComparison.Ordinal);
        if (star > 0)
        {
            return Enumerable.Repeat(Convert.FromHexString(spec[..star])[0], int.Parse(spec[(star + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }

        return hex ? Convert.FromHexString(spec) : Encoding.ASCII.GetBytes(spec);
    }
}
