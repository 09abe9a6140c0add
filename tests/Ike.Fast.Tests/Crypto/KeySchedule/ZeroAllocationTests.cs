using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;

namespace Ike.Fast.Tests.Crypto.KeySchedule;

/// <summary>
/// Runs alone (<see cref="Ike.Fast.Tests.Host.SoloCollection"/>): the Phase 1 key material rents its buffers from the
/// process-wide <see cref="SecretBufferPool"/>, and a test running in parallel that establishes SAs can take the buffers
/// this test returns between two rounds, which then allocates fresh ones (the same cause as in EngineAllocationTests).
/// </summary>
[Collection(Ike.Fast.Tests.Host.SoloCollection.Name)]
public class ZeroAllocationTests
{
    [Theory]
    [InlineData("mm-psk-aes128-sha256-modp2048__sw-sw")]
    [InlineData("mm-psk-3des-sha1-modp2048__sw-sw")]
    [InlineData("mm-psk-aes256-sha1-modp1536__sw-sw")]
    [InlineData("mm-psk-pfs-aes128-sha256-modp2048__sw-sw")]
    public void Phase1KeySchedule_PlusOneQuickModeKeymat_AllocatesNothing(string id)
    {
        RecordedSession s = RecordedSession.Load(id);
        var inputs = new Inputs(s);
        Run(inputs); // warm up pools and type initialisers
        Run(inputs);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            Run(inputs);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(IkeHashAlgorithm.Md5)]
    [InlineData(IkeHashAlgorithm.Sha384)]
    [InlineData(IkeHashAlgorithm.Sha512)]
    public void PlatformBackedPrfs_AllocateNothingAfterWarmUp(IkeHashAlgorithm algorithm)
    {
        byte[] key = new byte[40], data = new byte[300], output = new byte[64];
        for (int i = 0; i < 3; i++)
        {
            Prf.Compute(algorithm, key, output, data, data);
            Prf.TryHash(algorithm, data, output, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            Prf.Compute(algorithm, key, output, data, data);
            Prf.TryHash(algorithm, data, output, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void AesNiCbc_EncryptDecrypt_AllocatesNothing()
    {
        Assert.Equal(CipherSelectionError.None, IkeCbcCipher.TryCreate(IkeEncryptionAlgorithm.AesCbc, 256, out IkeCbcCipher? cipher));
        using IkeCbcCipher c = cipher!;
        if (!c.IsHardwareAccelerated)
        {
            return;
        }

        byte[] key = new byte[32], iv = new byte[16], buffer = new byte[256];
        c.TrySetKey(key);
        c.TryEncrypt(buffer, iv, buffer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            c.TrySetKey(key);
            c.TryEncrypt(buffer, iv, buffer);
            c.TryDecrypt(buffer, iv, buffer);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void Run(Inputs x)
    {
        Span<byte> hashI = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        Span<byte> hashR = stackalloc byte[IkeHashAlgorithmInfo.MaxOutputSize];
        Span<byte> keymat = stackalloc byte[x.KeymatLength];
        using Phase1KeyMaterial keys = Phase1KeyMaterial.DerivePreSharedKey(x.Hash, x.KeySize, x.BlockSize, x.Psk,
            x.Ni, x.Nr, x.Gxy, x.CkyI, x.CkyR, x.Gxi, x.Gxr);
        keys.ComputeHashI(x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdiiB, hashI);
        keys.ComputeHashR(x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdirB, hashR);
        keys.ComputeKeymat(x.Gqmxy, Phase2KeySchedule.ProtocolEsp, x.Spi, x.QmNi, x.QmNr, keymat);
        // The span-keyed static forms too.
        Phase1KeySchedule.ComputeHashI(x.Hash, keys.Skeyid, x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdiiB, hashI);
        Phase2KeySchedule.ComputeKeymat(x.Hash, keys.SkeyidD, x.Gqmxy, Phase2KeySchedule.ProtocolEsp, x.Spi, x.QmNi, x.QmNr, keymat);
    }

    private sealed class Inputs
    {
        internal Inputs(RecordedSession s)
        {
            Hash = s.Hash;
            KeySize = s.KeyBytes;
            BlockSize = s.Encryption == IkeEncryptionAlgorithm.AesCbc ? 16 : 8;
            Psk = s.Hex("psk_hex");
            Ni = s.Hex("ni");
            Nr = s.Hex("nr");
            Gxy = s.Hex("shared_secret");
            CkyI = s.Hex("cky_i");
            CkyR = s.Hex("cky_r");
            Gxi = s.Hex("g_xi");
            Gxr = s.Hex("g_xr");
            SaiB = s.Hex("sai_b");
            IdiiB = s.Hex("idii_b");
            IdirB = s.Hex("idir_b");
            System.Text.Json.JsonElement qm = s.Root.GetProperty("phase2")[0];
            QmNi = RecordedSession.Hex(qm, "ni");
            QmNr = RecordedSession.Hex(qm, "nr");
            Gqmxy = RecordedSession.OptionalHex(qm, "g_qm_xy_logged") ?? [];
            System.Text.Json.JsonElement sa = qm.GetProperty("sa").GetProperty("initiator_to_responder");
            Spi = RecordedSession.Hex(sa, "spi");
            KeymatLength = RecordedSession.Hex(sa, "keymat_recomputed").Length;
        }

        internal IkeHashAlgorithm Hash { get; }

        internal int KeySize { get; }

        internal int BlockSize { get; }

        internal int KeymatLength { get; }

        internal byte[] Psk { get; }

        internal byte[] Ni { get; }

        internal byte[] Nr { get; }

        internal byte[] Gxy { get; }

        internal byte[] CkyI { get; }

        internal byte[] CkyR { get; }

        internal byte[] Gxi { get; }

        internal byte[] Gxr { get; }

        internal byte[] SaiB { get; }

        internal byte[] IdiiB { get; }

        internal byte[] IdirB { get; }

        internal byte[] QmNi { get; }

        internal byte[] QmNr { get; }

        internal byte[] Gqmxy { get; }

        internal byte[] Spi { get; }
    }
}
