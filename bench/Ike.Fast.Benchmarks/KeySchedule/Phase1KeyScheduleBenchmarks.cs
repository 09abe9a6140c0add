using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto;
using Ike.Fast.Crypto.KeySchedule;

namespace Ike.Fast.Benchmarks.KeySchedule;

/// <summary>
/// The whole Phase 1 key schedule (PSK SKEYID, SKEYID_d/a/e, Ka, Phase 1 IV, HASH_I, HASH_R) plus one Quick Mode
/// KEYMAT, DH excluded, HMAC-SHA2-256 / AES-128 / MODP-2048 sizes. Goal: ≤ 5 µs and 0 B.
/// </summary>
[MemoryDiagnoser]
public class Phase1KeyScheduleBenchmarks
{
    private readonly HandshakeInputs _x = new();

    [Benchmark(Baseline = true)]
    public int DotNetOneShot() => DotNetOneShotHandshake.Phase1AndKeymat(_x);

    [Benchmark]
    public int Ours()
    {
        HandshakeInputs x = _x;
        Span<byte> hashI = stackalloc byte[32];
        Span<byte> hashR = stackalloc byte[32];
        Span<byte> keymat = stackalloc byte[HandshakeInputs.KeymatLength];
        using Phase1KeyMaterial keys = Phase1KeyMaterial.DerivePreSharedKey(IkeHashAlgorithm.Sha256,
            HandshakeInputs.KeySize, HandshakeInputs.BlockSize, x.Psk, x.Ni, x.Nr, x.Gxy, x.CkyI, x.CkyR, x.Gxi, x.Gxr);
        keys.ComputeHashI(x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdiiB, hashI);
        keys.ComputeHashR(x.Gxi, x.Gxr, x.CkyI, x.CkyR, x.SaiB, x.IdirB, hashR);
        keys.ComputeKeymat(default, Phase2KeySchedule.ProtocolEsp, x.SpiR, x.QmNi, x.QmNr, keymat);
        return hashI[0] + hashR[0] + keymat[0];
    }
}
