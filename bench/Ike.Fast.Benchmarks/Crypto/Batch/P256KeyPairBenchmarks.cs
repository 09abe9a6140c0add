using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ike.Native.Ecc;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// P-256 key pairs (d G as x || y, IKE group 19) per second per core: .NET ECDiffieHellman.Create (OpenSSL; what the
/// batched engine used before), the 8-lane IFMA variable-base kernel with G as every point (baseline), and the
/// fixed-base comb (IkeFastNative_P256Ifma8Base). OperationsPerInvoke = 8.
/// </summary>
[MemoryDiagnoser]
public class P256KeyPairBenchmarks
{
    private const int Operations = 8;
    private readonly byte[] _scalars = new byte[Operations * 32];
    private readonly byte[] _points = new byte[Operations * 64];
    private readonly byte[] _results = new byte[Operations * 64];
    private readonly byte[] _check = new byte[Operations * 64];

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(_scalars);
        for (int k = 0; k < Operations; k++)
        {
            _scalars[32 * k] &= 0x7F; // below n
            IfmaP256.Generator.CopyTo(_points.AsSpan(64 * k));
        }

        if (IfmaP256.IsSupported)
        {
            // Both must agree before anything is timed.
            IfmaP256.MultiplyPoint(_scalars, _points, _check, Operations);
            IfmaP256.MultiplyBase(_scalars, _results, Operations);
            if (!_check.AsSpan().SequenceEqual(_results))
            {
                throw new InvalidOperationException("The fixed-base comb disagrees with the variable-base kernel.");
            }
        }
        else
        {
            Console.WriteLine("// AVX-512 IFMA not supported: the IFMA rows do nothing.");
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void DotNetCreate()
    {
        for (int k = 0; k < Operations; k++)
        {
            using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            _ = key.ExportParameters(includePrivateParameters: true);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public int VariableBaseOnG() => IfmaP256.IsSupported ? IfmaP256.MultiplyPoint(_scalars, _points, _results, Operations).Failed : 0;

    [Benchmark(OperationsPerInvoke = Operations)]
    public int FixedBaseComb() => IfmaP256.IsSupported ? IfmaP256.MultiplyBase(_scalars, _results, Operations).Failed : 0;
}
