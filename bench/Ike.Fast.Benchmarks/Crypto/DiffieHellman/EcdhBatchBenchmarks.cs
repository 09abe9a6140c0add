using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Ike.Native.Ecc;
using NSec.Cryptography;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// X25519 (group 31) and P-256 ECDH (group 19) shared-secret computations per second per core, in CPU time
/// (<see cref="ThreadCpuTimeConfig"/>): NSec / libsodium and .NET ECDiffieHellman (OpenSSL) one at a time
/// (baselines of their category; keys created once, the agreement only) against the 8-lane IFMA kernels
/// (native/src/x25519_ifma.c, p256_ifma.c with point validation). OperationsPerInvoke = 8: Mean is per operation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThreadCpuTimeConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EcdhBatchBenchmarks
{
    private const int Operations = 8;
    private readonly byte[] _x25519Scalars = new byte[Operations * 32];
    private readonly byte[] _x25519Points = new byte[Operations * 32];
    private readonly byte[] _p256Scalars = new byte[Operations * 32];
    private readonly byte[] _p256Points = new byte[Operations * 64];
    private readonly byte[] _results = new byte[Operations * 32];
    private Key[] _x25519Keys = [];
    private NSec.Cryptography.PublicKey[] _x25519Peers = [];
    private ECDiffieHellman[] _p256Keys = [];
    private ECDiffieHellmanPublicKey[] _p256Peers = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(31);
        random.NextBytes(_x25519Scalars);
        _x25519Keys = new Key[Operations];
        _x25519Peers = new NSec.Cryptography.PublicKey[Operations];
        _p256Keys = new ECDiffieHellman[Operations];
        _p256Peers = new ECDiffieHellmanPublicKey[Operations];
        for (int k = 0; k < Operations; k++)
        {
            _x25519Keys[k] = Key.Import(KeyAgreementAlgorithm.X25519, _x25519Scalars.AsSpan(32 * k, 32), KeyBlobFormat.RawPrivateKey);
            using Key peer = Key.Create(KeyAgreementAlgorithm.X25519);
            _x25519Peers[k] = peer.PublicKey;
            peer.PublicKey.Export(KeyBlobFormat.RawPublicKey).CopyTo(_x25519Points, 32 * k);

            _p256Keys[k] = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            using var p256Peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            _p256Peers[k] = p256Peer.PublicKey;
            _p256Keys[k].ExportParameters(true).D!.CopyTo(_p256Scalars, 32 * k);
            ECParameters q = p256Peer.ExportParameters(false);
            q.Q.X!.CopyTo(_p256Points, 64 * k);
            q.Q.Y!.CopyTo(_p256Points, 64 * k + 32);
        }

        if (!IfmaX25519.IsSupported || !IfmaP256.IsSupported)
        {
            Console.WriteLine("// AVX-512 IFMA not supported: the Ifma rows measure nothing.");
            return;
        }

        // The kernels agree with the references before anything is timed.
        IfmaX25519.Multiply(_x25519Scalars, _x25519Points, _results, Operations);
        for (int k = 0; k < Operations; k++)
        {
            using SharedSecret s = KeyAgreementAlgorithm.X25519.Agree(
                _x25519Keys[k], _x25519Peers[k], new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })!;
            if (!s.Export(SharedSecretBlobFormat.RawSharedSecret).AsSpan().SequenceEqual(_results.AsSpan(32 * k, 32)))
            {
                throw new InvalidOperationException("IFMA X25519 disagrees with NSec.");
            }
        }

        if (IfmaP256.Multiply(_p256Scalars, _p256Points, _results, Operations).Failed != 0)
        {
            throw new InvalidOperationException("IFMA P-256 refused a valid input.");
        }

        for (int k = 0; k < Operations; k++)
        {
            if (!_p256Keys[k].DeriveRawSecretAgreement(_p256Peers[k]).AsSpan().SequenceEqual(_results.AsSpan(32 * k, 32)))
            {
                throw new InvalidOperationException("IFMA P-256 disagrees with .NET ECDH.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        for (int k = 0; k < Operations; k++)
        {
            _x25519Keys[k].Dispose();
            _p256Keys[k].Dispose();
            _p256Peers[k].Dispose();
        }
    }

    [BenchmarkCategory("X25519")]
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void NSecX25519()
    {
        for (int k = 0; k < Operations; k++)
        {
            using SharedSecret? s = KeyAgreementAlgorithm.X25519.Agree(_x25519Keys[k], _x25519Peers[k]);
        }
    }

    [BenchmarkCategory("X25519")]
    [Benchmark(OperationsPerInvoke = Operations)]
    public int IfmaX25519Lanes8() => IfmaX25519.IsSupported ? IfmaX25519.Multiply(_x25519Scalars, _x25519Points, _results, Operations) : 0;

    [BenchmarkCategory("P256")]
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void DotNetEcdhP256()
    {
        for (int k = 0; k < Operations; k++)
        {
            _p256Keys[k].DeriveRawSecretAgreement(_p256Peers[k]);
        }
    }

    [BenchmarkCategory("P256")]
    [Benchmark(OperationsPerInvoke = Operations)]
    public int IfmaP256Lanes8() => IfmaP256.IsSupported ? IfmaP256.Multiply(_p256Scalars, _p256Points, _results, Operations).Failed : 0;
}
