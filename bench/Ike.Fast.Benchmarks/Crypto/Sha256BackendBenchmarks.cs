using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto;

namespace Ike.Fast.Benchmarks.Crypto;

/// <summary>HMAC-SHA2-256 on 64 bytes through each backend, against .NET's one-shot (baseline).</summary>
[MemoryDiagnoser]
public class Sha256BackendBenchmarks
{
    private readonly byte[] _key = new byte[32];
    private readonly byte[] _data = new byte[64];
    private readonly byte[] _output = new byte[32];

    [Benchmark(Baseline = true)]
    public int DotNetOneShot() => HMACSHA256.HashData(_key, _data, _output);

    [Benchmark]
    public int ShaNi() => Run(HashBackend.Native);

    [Benchmark]
    public int ManagedScalar() => Run(HashBackend.Scalar);

    [Benchmark]
    public int PooledIncrementalHash() => Run(HashBackend.Platform);

    private int Run(HashBackend backend)
    {
        using PrfContext prf = new(IkeHashAlgorithm.Sha256, _key, backend);
        prf.Append(_data);
        return prf.Finish(_output);
    }
}
