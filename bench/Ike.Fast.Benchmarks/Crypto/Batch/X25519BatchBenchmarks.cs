using BenchmarkDotNet.Attributes;
using Ike.Native.Ecc;
using NSec.Cryptography;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// X25519 scalar multiplications per second per core (IKE group 31): NSec / libsodium one at a time (baseline,
/// keys imported once, the agreement only) against the 8-lane IFMA kernel (native/src/x25519_ifma.c). Every
/// invocation does 8 multiplications (OperationsPerInvoke = 8), so times are per X25519.
/// </summary>
[MemoryDiagnoser]
public class X25519BatchBenchmarks
{
    private const int Operations = 8;
    private readonly byte[] _scalars = new byte[Operations * 32];
    private readonly byte[] _points = new byte[Operations * 32];
    private readonly byte[] _results = new byte[Operations * 32];
    private Key[] _keys = [];
    private PublicKey[] _peers = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(31);
        random.NextBytes(_scalars);
        _keys = new Key[Operations];
        _peers = new PublicKey[Operations];
        for (int k = 0; k < Operations; k++)
        {
            _keys[k] = Key.Import(KeyAgreementAlgorithm.X25519, _scalars.AsSpan(32 * k, 32), KeyBlobFormat.RawPrivateKey);
            using Key peer = Key.Create(KeyAgreementAlgorithm.X25519);
            _peers[k] = peer.PublicKey;
            peer.PublicKey.Export(KeyBlobFormat.RawPublicKey).CopyTo(_points, 32 * k);
        }

        if (IfmaX25519.IsSupported)
        {
            // Both must agree before anything is timed.
            IfmaX25519.Multiply(_scalars, _points, _results, Operations);
            for (int k = 0; k < Operations; k++)
            {
                using SharedSecret s = KeyAgreementAlgorithm.X25519.Agree(
                    _keys[k], _peers[k], new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })!;
                if (!s.Export(SharedSecretBlobFormat.RawSharedSecret).AsSpan().SequenceEqual(_results.AsSpan(32 * k, 32)))
                {
                    throw new InvalidOperationException("IFMA X25519 disagrees with NSec.");
                }
            }
        }
        else
        {
            Console.WriteLine("// AVX-512 IFMA not supported: the Ifma8 row does nothing.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Key key in _keys)
        {
            key.Dispose();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void NSecX25519()
    {
        for (int k = 0; k < Operations; k++)
        {
            using SharedSecret? s = KeyAgreementAlgorithm.X25519.Agree(_keys[k], _peers[k]);
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int IfmaX25519Lanes8() => IfmaX25519.IsSupported ? IfmaX25519.Multiply(_scalars, _points, _results, Operations) : 0;
}
