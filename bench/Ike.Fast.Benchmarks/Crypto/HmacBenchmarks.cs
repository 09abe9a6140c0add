using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto;

namespace Ike.Fast.Benchmarks.Crypto;

/// <summary>
/// One PRF call on 64 bytes (the size of Ni_b | Nr_b, or a QM HASH input) with a 32-byte key: ours (SHA-NI midstate
/// for SHA-1/256, pooled IncrementalHash otherwise) vs .NET's one-shot HMAC*.HashData (baseline).
/// </summary>
[MemoryDiagnoser]
public class HmacBenchmarks
{
    private readonly byte[] _key = new byte[32];
    private readonly byte[] _data = new byte[64];
    private readonly byte[] _output = new byte[64];

    [Params(IkeHashAlgorithm.Md5, IkeHashAlgorithm.Sha1, IkeHashAlgorithm.Sha256, IkeHashAlgorithm.Sha384, IkeHashAlgorithm.Sha512)]
    public IkeHashAlgorithm Algorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(_key);
        RandomNumberGenerator.Fill(_data);
    }

    [Benchmark(Baseline = true)]
    public int DotNetOneShot() => Algorithm switch
    {
        IkeHashAlgorithm.Md5 => HMACMD5.HashData(_key, _data, _output),
        IkeHashAlgorithm.Sha1 => HMACSHA1.HashData(_key, _data, _output),
        IkeHashAlgorithm.Sha256 => HMACSHA256.HashData(_key, _data, _output),
        IkeHashAlgorithm.Sha384 => HMACSHA384.HashData(_key, _data, _output),
        _ => HMACSHA512.HashData(_key, _data, _output),
    };

    [Benchmark]
    public int PrfContext()
    {
        using PrfContext prf = new(Algorithm, _key);
        prf.Append(_data);
        return prf.Finish(_output);
    }

    [Benchmark]
    public int PrfContextPlatform()
    {
        using PrfContext prf = new(Algorithm, _key, HashBackend.Platform);
        prf.Append(_data);
        return prf.Finish(_output);
    }
}
