using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ike.Native.Ecc;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// P-256 ECDH scalar multiplications per second per core (IKE group 19): .NET ECDiffieHellman (OpenSSL) one at a
/// time (baseline: keys created once, DeriveRawSecretAgreement only, which includes OpenSSL's point checks) against
/// the 8-lane IFMA kernel (native/src/p256_ifma.c, point validation included). OperationsPerInvoke = 8.
/// </summary>
[MemoryDiagnoser]
public class P256BatchBenchmarks
{
    private const int Operations = 8;
    private readonly byte[] _scalars = new byte[Operations * 32];
    private readonly byte[] _points = new byte[Operations * 64];
    private readonly byte[] _results = new byte[Operations * 32];
    private ECDiffieHellman[] _keys = [];
    private ECDiffieHellmanPublicKey[] _peers = [];

    [GlobalSetup]
    public void Setup()
    {
        _keys = new ECDiffieHellman[Operations];
        _peers = new ECDiffieHellmanPublicKey[Operations];
        for (int k = 0; k < Operations; k++)
        {
            _keys[k] = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            _peers[k] = peer.PublicKey;
            _keys[k].ExportParameters(true).D!.CopyTo(_scalars, 32 * k);
            ECParameters q = peer.ExportParameters(false);
            q.Q.X!.CopyTo(_points, 64 * k);
            q.Q.Y!.CopyTo(_points, 64 * k + 32);
        }

        if (IfmaP256.IsSupported)
        {
            // Both must agree before anything is timed.
            if (IfmaP256.Multiply(_scalars, _points, _results, Operations).Failed != 0)
            {
                throw new InvalidOperationException("IFMA P-256 refused a valid input.");
            }

            for (int k = 0; k < Operations; k++)
            {
                if (!_keys[k].DeriveRawSecretAgreement(_peers[k]).AsSpan().SequenceEqual(_results.AsSpan(32 * k, 32)))
                {
                    throw new InvalidOperationException("IFMA P-256 disagrees with .NET ECDH.");
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
        for (int k = 0; k < Operations; k++)
        {
            _keys[k].Dispose();
            _peers[k].Dispose();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void DotNetEcdh()
    {
        for (int k = 0; k < Operations; k++)
        {
            _keys[k].DeriveRawSecretAgreement(_peers[k]);
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public int IfmaP256Lanes8() => IfmaP256.IsSupported ? IfmaP256.Multiply(_scalars, _points, _results, Operations).Failed : 0;
}
