using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;

namespace Ike.Fast.Benchmarks.KeySchedule;

/// <summary>
/// All the symmetric crypto of one Main Mode + Quick Mode responder handshake (DH excluded): the Phase 1 key
/// schedule, decrypt MM5 and check HASH_I, HASH_R and encrypt MM6, QM IV, decrypt QM1 and check HASH(1),
/// HASH(2) and encrypt QM2, decrypt QM3 and check HASH(3), KEYMAT for both SAs. Goal: ≤ 8 µs.
/// </summary>
[MemoryDiagnoser]
public class ResponderHandshakeCryptoBenchmarks
{
    private const IkeHashAlgorithm Hash = IkeHashAlgorithm.Sha256;

    private readonly HandshakeInputs _x = new();
    private readonly byte[] _buffer = new byte[256];
    private Aes _aes = null!;
    private IkeCbcCipher _cipher = null!;

    [GlobalSetup]
    public void Setup()
    {
        _aes = Aes.Create();
        IkeCbcCipher.TryCreate(IkeEncryptionAlgorithm.AesCbc, 128, out IkeCbcCipher? cipher);
        _cipher = cipher!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aes.Dispose();
        _cipher.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int DotNetOneShot() => DotNetOneShotHandshake.ResponderHandshake(_x, _aes);

    [Benchmark]
    public int Ours()
    {
        HandshakeInputs x = _x;
        IkeCbcCipher cipher = _cipher;
        Span<byte> buffer = _buffer;
        Span<byte> mac = stackalloc byte[32];
        Span<byte> phase1Iv = stackalloc byte[16];
        Span<byte> qmIv = stackalloc byte[16];
        Span<byte> keymat = stackalloc byte[HandshakeInputs.KeymatLength];
        int result = 0;

        using Phase1KeyMaterial keys = Phase1KeyMaterial.DerivePreSharedKey(Hash, HandshakeInputs.KeySize,
            HandshakeInputs.BlockSize, x.Psk, x.Ni, x.Nr, x.Gxy, x.CkyI, x.CkyR, x.Gxi, x.Gxr);
        cipher.TrySetKey(keys.EncryptionKey);
        keys.InitialIv.CopyTo(phase1Iv);

        // MM5: decrypt, verify HASH_I.
        cipher.TryDecrypt(x.Mm5, phase1Iv, buffer);
        keys.ComputeHashI(x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdiiB, mac);
        result += CryptographicOperations.FixedTimeEquals(mac, buffer.Slice(4, 32)) ? 1 : 0;

        // MM6: HASH_R, encrypt (the IV chain continues from MM5's last block).
        keys.ComputeHashR(x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdirB, mac);
        cipher.TryEncrypt(x.Mm6, phase1Iv, buffer);

        // Quick Mode: own IV chain from the last Phase 1 block.
        Phase2KeySchedule.ComputeIv(Hash, phase1Iv, HandshakeInputs.MessageId, qmIv);
        cipher.TryDecrypt(x.Qm1, qmIv, buffer);
        keys.ComputeQuickModeHash1(HandshakeInputs.MessageId,
            buffer[x.QmRestOffset..x.Qm1.Length], mac);
        result += mac[0];
        keys.ComputeQuickModeHash2(HandshakeInputs.MessageId, x.QmNi,
            x.Qm2.AsSpan(x.QmRestOffset), mac);
        cipher.TryEncrypt(x.Qm2, qmIv, buffer);
        cipher.TryDecrypt(x.Qm3, qmIv, buffer);
        keys.ComputeQuickModeHash3(HandshakeInputs.MessageId, x.QmNi, x.QmNr, mac);
        result += mac[0];

        keys.ComputeKeymat(default, Phase2KeySchedule.ProtocolEsp, x.SpiR, x.QmNi, x.QmNr, keymat);
        result += keymat[0];
        keys.ComputeKeymat(default, Phase2KeySchedule.ProtocolEsp, x.SpiI, x.QmNi, x.QmNr, keymat);
        return result + keymat[0];
    }
}
