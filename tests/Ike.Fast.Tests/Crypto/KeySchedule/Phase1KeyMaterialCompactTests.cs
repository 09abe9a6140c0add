using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;

namespace Ike.Fast.Tests.Crypto.KeySchedule;

/// <summary>
/// <see cref="Phase1KeyMaterial.Compact"/> (an idle ISAKMP SA drops its prepared PRF keys and SKEYID): every PRF keyed
/// afterwards gives the same bytes as with the prepared keys, the secrets read the same, and SKEYID is refused.
/// </summary>
public class Phase1KeyMaterialCompactTests
{
    [Theory]
    [InlineData(IkeHashAlgorithm.Sha1, 16, 16)]
    [InlineData(IkeHashAlgorithm.Sha256, 16, 16)]
    [InlineData(IkeHashAlgorithm.Sha256, 32, 16)]
    [InlineData(IkeHashAlgorithm.Sha384, 32, 16)]
    [InlineData(IkeHashAlgorithm.Sha512, 24, 8)]
    public void CompactKeys_GiveTheSameHashesAndKeymat(IkeHashAlgorithm hash, int keySize, int blockSize)
    {
        byte[] psk = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];
        byte[] ni = [.. Enumerable.Range(30, 32).Select(i => (byte)i)];
        byte[] nr = [.. Enumerable.Range(70, 32).Select(i => (byte)i)];
        byte[] shared = [.. Enumerable.Range(5, 32).Select(i => (byte)(i * 7))];
        byte[] ckyI = [1, 2, 3, 4, 5, 6, 7, 8];
        byte[] ckyR = [8, 7, 6, 5, 4, 3, 2, 1];
        byte[] gxi = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 3))];
        byte[] gxr = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 5))];
        byte[] rest = [.. Enumerable.Range(0, 60).Select(i => (byte)(i ^ 0x5a))];
        using Phase1KeyMaterial prepared = Phase1KeyMaterial.DerivePreSharedKey(hash, keySize, blockSize, psk, ni, nr, shared, ckyI, ckyR, gxi, gxr);
        Phase1KeyMaterial compact = Phase1KeyMaterial.DerivePreSharedKey(hash, keySize, blockSize, psk, ni, nr, shared, ckyI, ckyR, gxi, gxr);
        try
        {
            compact.Compact();
            compact.Compact(); // idempotent
            Assert.True(compact.IsCompact);
            Assert.Equal(prepared.SkeyidD.ToArray(), compact.SkeyidD.ToArray());
            Assert.Equal(prepared.SkeyidA.ToArray(), compact.SkeyidA.ToArray());
            Assert.Equal(prepared.SkeyidE.ToArray(), compact.SkeyidE.ToArray());
            Assert.Equal(prepared.EncryptionKey.ToArray(), compact.EncryptionKey.ToArray());
            Assert.Equal(prepared.InitialIv.ToArray(), compact.InitialIv.ToArray());
            Assert.Throws<InvalidOperationException>(() => compact.Skeyid.Length);

            Assert.Equal(Run(prepared, (in Phase1KeyMaterial k, Span<byte> o) => k.ComputeQuickModeHash1(7, rest, o)),
                Run(compact, (in Phase1KeyMaterial k, Span<byte> o) => k.ComputeQuickModeHash1(7, rest, o)));
            Assert.Equal(Run(prepared, (in Phase1KeyMaterial k, Span<byte> o) => k.ComputeQuickModeHash2(7, ni, rest, o)),
                Run(compact, (in Phase1KeyMaterial k, Span<byte> o) => k.ComputeQuickModeHash2(7, ni, rest, o)));
            Assert.Equal(Run(prepared, (in Phase1KeyMaterial k, Span<byte> o) => k.ComputeQuickModeHash3(7, ni, nr, o)),
                Run(compact, (in Phase1KeyMaterial k, Span<byte> o) => k.ComputeQuickModeHash3(7, ni, nr, o)));
            Assert.Equal(Run(prepared, (in Phase1KeyMaterial k, Span<byte> o) => k.ComputeInformationalHash(9, rest, o)),
                Run(compact, (in Phase1KeyMaterial k, Span<byte> o) => k.ComputeInformationalHash(9, rest, o)));
            byte[] keymatPrepared = new byte[100];
            byte[] keymatCompact = new byte[100];
            prepared.ComputeKeymat([], 3, [1, 2, 3, 4], ni, nr, keymatPrepared);
            compact.ComputeKeymat([], 3, [1, 2, 3, 4], ni, nr, keymatCompact);
            Assert.Equal(keymatPrepared, keymatCompact);
        }
        finally
        {
            compact.Dispose();
        }

        Assert.False(compact.IsCompact);
    }

    private delegate int Prf(in Phase1KeyMaterial keys, Span<byte> output);

    private static byte[] Run(in Phase1KeyMaterial keys, Prf prf)
    {
        Span<byte> output = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        int size = prf(in keys, output);
        return output[..size].ToArray();
    }
}
