using System.Security.Cryptography;
using CsCheck;
using Ike.Fast.Crypto;

namespace Ike.Fast.Tests.Crypto;

public class IkeCbcCipherTests
{
    private const string Sp80038aPlaintext =
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

    private const string Sp80038aIv = "000102030405060708090a0b0c0d0e0f";

    public static IEnumerable<object[]> Paths()
    {
        yield return [false];
        if (AesNiCbc.IsSupported)
        {
            yield return [true];
        }
    }

    // NIST SP 800-38A Appendix F.2.1–F.2.6 (CBC-AES128/192/256 encrypt and decrypt).
    [Theory]
    [InlineData("2b7e151628aed2a6abf7158809cf4f3c",
        "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7")]
    [InlineData("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd")]
    [InlineData("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b")]
    public void Sp80038a_AesCbc_BothPaths(string keyHex, string ciphertextHex)
    {
        byte[] key = Convert.FromHexString(keyHex), plaintext = Convert.FromHexString(Sp80038aPlaintext);
        byte[] expected = Convert.FromHexString(ciphertextHex);
        foreach (object[] path in Paths())
        {
            using IkeCbcCipher cipher = Create(IkeEncryptionAlgorithm.AesCbc, key.Length * 8, (bool)path[0]);
            Assert.True(cipher.TrySetKey(key));
            byte[] iv = Convert.FromHexString(Sp80038aIv), output = new byte[plaintext.Length];
            Assert.True(cipher.TryEncrypt(plaintext, iv, output));
            Assert.Equal(expected, output);
            Assert.Equal(expected[^16..], iv); // chaining: IV became the last ciphertext block

            iv = Convert.FromHexString(Sp80038aIv);
            Assert.True(cipher.TryDecrypt(expected, iv, output));
            Assert.Equal(plaintext, output);
            Assert.Equal(expected[^16..], iv);
        }
    }

    // FIPS 197 Appendix C.1–C.3 single-block known answers (CBC with a zero IV is ECB for one block).
    [Theory]
    [InlineData("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a")]
    [InlineData("000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191")]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089")]
    public void Fips197_KnownAnswers_BothPaths(string keyHex, string ciphertextHex)
    {
        byte[] key = Convert.FromHexString(keyHex), plaintext = Convert.FromHexString("00112233445566778899aabbccddeeff");
        foreach (object[] path in Paths())
        {
            using IkeCbcCipher cipher = Create(IkeEncryptionAlgorithm.AesCbc, key.Length * 8, (bool)path[0]);
            Assert.True(cipher.TrySetKey(key));
            var output = new byte[16];
            Assert.True(cipher.TryEncrypt(plaintext, new byte[16], output));
            Assert.Equal(Convert.FromHexString(ciphertextHex), output);
            Assert.True(cipher.TryDecrypt(output, new byte[16], output)); // in place
            Assert.Equal(plaintext, output);
        }
    }

    // NIST SP 800-67 Rev. 1 Appendix B TDEA example (keys K1, K2, K3 distinct); first block via CBC with zero IV,
    // the chained blocks against .NET's TripleDES in ECB.
    [Fact]
    public void TripleDes_KnownAnswer()
    {
        byte[] key = Convert.FromHexString("0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123");
        byte[] plaintext = "The qufck brown fox jump"u8.ToArray();
        Assert.True(IkeCbcCipher.TryCreate(IkeEncryptionAlgorithm.TripleDesCbc, 0, out IkeCbcCipher? cipher) == CipherSelectionError.None);
        using (cipher)
        {
            Assert.Equal(24, cipher!.KeySize);
            Assert.Equal(8, cipher.BlockSize);
            Assert.True(cipher.TrySetKey(key));
            var output = new byte[8];
            Assert.True(cipher.TryEncrypt(plaintext.AsSpan(0, 8), new byte[8], output));
            Assert.Equal(Convert.FromHexString("A826FD8CE53B855F"), output);

            byte[] iv = new byte[8], ciphertext = new byte[24];
            Assert.True(cipher.TryEncrypt(plaintext, iv, ciphertext));
            using TripleDES reference = TripleDES.Create();
            reference.Key = key;
            Assert.Equal(reference.EncryptCbc(plaintext, new byte[8], PaddingMode.None), ciphertext);
            Assert.Equal(ciphertext[^8..], iv);
            iv = new byte[8];
            Assert.True(cipher.TryDecrypt(ciphertext, iv, ciphertext));
            Assert.Equal(plaintext, ciphertext);
        }
    }

    [Fact]
    public void AesNi_EqualsDotNet_RandomKeysLengthsAndInPlace()
    {
        if (!AesNiCbc.IsSupported)
        {
            return;
        }

        Gen.Select(Gen.Int[0, 2].Select(i => 16 + (8 * i)), Gen.Int[1, 40], Gen.Byte.Array[64], Gen.Byte.Array[16])
            .Sample(t =>
            {
                (int keySize, int blocks, byte[] keySource, byte[] ivSource) = t;
                byte[] key = keySource[..keySize];
                var plaintext = new byte[blocks * 16];
                Random.Shared.NextBytes(plaintext);
                using Aes reference = Aes.Create();
                reference.Key = key;
                byte[] expected = reference.EncryptCbc(plaintext, ivSource, PaddingMode.None);

                using IkeCbcCipher cipher = Create(IkeEncryptionAlgorithm.AesCbc, keySize * 8, hardware: true);
                Assert.True(cipher.IsHardwareAccelerated);
                Assert.True(cipher.TrySetKey(key));
                byte[] iv = ivSource.ToArray(), buffer = plaintext.ToArray();
                Assert.True(cipher.TryEncrypt(buffer, iv, buffer));
                Assert.Equal(expected, buffer);
                iv = ivSource.ToArray();
                Assert.True(cipher.TryDecrypt(buffer, iv, buffer));
                Assert.Equal(plaintext, buffer);
                Assert.Equal(expected[^16..], iv);
            }, iter: 100);
    }

    [Theory]
    [InlineData(IkeEncryptionAlgorithm.DesCbc, 0, CipherSelectionError.WeakAlgorithmRefused)]
    [InlineData(IkeEncryptionAlgorithm.DesCbc, 64, CipherSelectionError.WeakAlgorithmRefused)]
    [InlineData(IkeEncryptionAlgorithm.AesCbc, 0, CipherSelectionError.InvalidKeyLength)]
    [InlineData(IkeEncryptionAlgorithm.AesCbc, 64, CipherSelectionError.InvalidKeyLength)]
    [InlineData(IkeEncryptionAlgorithm.TripleDesCbc, 128, CipherSelectionError.InvalidKeyLength)]
    [InlineData(IkeEncryptionAlgorithm.BlowfishCbc, 128, CipherSelectionError.UnsupportedAlgorithm)]
    [InlineData((IkeEncryptionAlgorithm)99, 128, CipherSelectionError.UnsupportedAlgorithm)]
    [InlineData(IkeEncryptionAlgorithm.AesCbc, 192, CipherSelectionError.None)]
    [InlineData(IkeEncryptionAlgorithm.TripleDesCbc, 192, CipherSelectionError.None)]
    public void Selection_RefusesDesAndBadKeyLengths_WithoutThrowing(IkeEncryptionAlgorithm algorithm, int bits, CipherSelectionError expected)
    {
        Assert.Equal(expected, IkeCbcCipher.TryCreate(algorithm, bits, out IkeCbcCipher? cipher));
        Assert.Equal(expected == CipherSelectionError.None, cipher is not null);
        cipher?.Dispose();
    }

    [Fact]
    public void PartialBlocksAndShortBuffers_ReturnFalse()
    {
        using IkeCbcCipher cipher = Create(IkeEncryptionAlgorithm.AesCbc, 128, hardware: true);
        Assert.True(cipher.TrySetKey(new byte[16]));
        Assert.False(cipher.TryEncrypt(new byte[17], new byte[16], new byte[32]));
        Assert.False(cipher.TryEncrypt(new byte[32], new byte[16], new byte[16]));
        Assert.False(cipher.TryDecrypt(new byte[32], new byte[8], new byte[32]));
        Assert.False(cipher.TryDecrypt(ReadOnlySpan<byte>.Empty, new byte[16], new byte[32]));
    }

    [Fact]
    public void TripleDes_DegenerateKey_IsRefusedWithoutThrowing()
    {
        Assert.Equal(CipherSelectionError.None, IkeCbcCipher.TryCreate(IkeEncryptionAlgorithm.TripleDesCbc, 192, out IkeCbcCipher? cipher));
        using IkeCbcCipher c = cipher!;
        byte[] k = Convert.FromHexString("0123456789ABCDEF");
        Assert.False(c.TrySetKey([.. k, .. k, .. Convert.FromHexString("456789ABCDEF0123")])); // K1 = K2: single DES
        Assert.Throws<InvalidOperationException>(() => c.TryEncrypt(new byte[8], new byte[8], new byte[8]));
    }

    [Fact]
    public void UseAfterDispose_Throws()
    {
        IkeCbcCipher c = Create(IkeEncryptionAlgorithm.AesCbc, 128, hardware: true);
        c.Dispose();
        Assert.Throws<ObjectDisposedException>(() => c.TrySetKey(new byte[16]));
    }

    private static IkeCbcCipher Create(IkeEncryptionAlgorithm algorithm, int bits, bool hardware)
    {
        Assert.Equal(CipherSelectionError.None, IkeCbcCipher.TryCreate(algorithm, bits, hardware, out IkeCbcCipher? cipher));
        return cipher!;
    }
}
