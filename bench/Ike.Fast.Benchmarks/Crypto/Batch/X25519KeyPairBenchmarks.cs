using BenchmarkDotNet.Attributes;
using Ike.Native.Ecc;
using NSec.Cryptography;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// X25519 key pairs (IKE group 31, RFC 7748 section 6.1: the public value is X25519(k, 9)): NSec / libsodium one at a
/// time (baseline: create a key, export its public value) against the 8-lane IFMA ladder with u = 9 and the 8-lane
/// fixed-base comb on edwards25519 (IkeFastNative_X25519Ifma8Base). Every invocation makes 8 key pairs
/// (OperationsPerInvoke = 8), so times are per key pair; the IFMA rows take the scalars as given (the engine draws
/// them from its random source beforehand).
/// </summary>
[MemoryDiagnoser]
public class X25519KeyPairBenchmarks
{
    private const int Operations = 8;
    private readonly byte[] _scalars = new byte[Operations * 32];
    private readonly byte[] _points = new byte[Operations * 32];
    private readonly byte[] _results = new byte[Operations * 32];
    private readonly byte[] _public = new byte[32];

    [GlobalSetup]
    public void Setup()
    {
        new Random(31).NextBytes(_scalars);
        for (int k = 0; k < Operations; k++)
        {
            IfmaX25519.BasePoint.CopyTo(_points.AsSpan(32 * k));
        }

        if (IfmaX25519.IsSupported)
        {
            // Comb, ladder and NSec must agree before anything is timed.
            byte[] comb = new byte[_results.Length];
            IfmaX25519.MultiplyBase(_scalars, comb, Operations);
            IfmaX25519.Multiply(_scalars, _points, _results, Operations);
            for (int k = 0; k < Operations; k++)
            {
                using Key key = Key.Import(KeyAgreementAlgorithm.X25519, _scalars.AsSpan(32 * k, 32), KeyBlobFormat.RawPrivateKey);
                byte[] expected = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
                if (!expected.AsSpan().SequenceEqual(_results.AsSpan(32 * k, 32)) || !expected.AsSpan().SequenceEqual(comb.AsSpan(32 * k, 32)))
                {
                    throw new InvalidOperationException("IFMA X25519 key pairs disagree with NSec.");
                }
            }
        }
        else
        {
            Console.WriteLine("// AVX-512 IFMA not supported: the Ifma rows do nothing.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void NSecKeyPair()
    {
        for (int k = 0; k < Operations; k++)
        {
            using Key key = Key.Create(KeyAgreementAlgorithm.X25519);
            key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, _public, out _);
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int IfmaLadderLanes8() => IfmaX25519.IsSupported ? IfmaX25519.Multiply(_scalars, _points, _results, Operations) : 0;

    [Benchmark(OperationsPerInvoke = Operations)]
    public int IfmaCombLanes8() => IfmaX25519.IsSupported ? IfmaX25519.MultiplyBase(_scalars, _results, Operations) : 0;
}
