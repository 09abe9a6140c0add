using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto;

namespace Ike.Fast.Benchmarks.Crypto;

/// <summary>3DES-CBC over 256 bytes: ours (a thin wrapper over .NET's TripleDES) vs the .NET one-shot (baseline).</summary>
[MemoryDiagnoser]
public class TripleDesCbcBenchmarks
{
    private readonly byte[] _iv = new byte[8];
    private readonly byte[] _plaintext = new byte[256];
    private readonly byte[] _output = new byte[256];
    private TripleDES _dotnet = null!;
    private IkeCbcCipher _ours = null!;

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = Convert.FromHexString("0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123");
        _dotnet = TripleDES.Create();
        _dotnet.Key = key;
        IkeCbcCipher.TryCreate(IkeEncryptionAlgorithm.TripleDesCbc, 192, out IkeCbcCipher? cipher);
        _ours = cipher!;
        _ours.TrySetKey(key);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _dotnet.Dispose();
        _ours.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int DotNetEncrypt() => _dotnet.EncryptCbc(_plaintext, _iv, _output, PaddingMode.None);

    [Benchmark]
    public bool OursEncrypt()
    {
        Span<byte> iv = stackalloc byte[8];
        return _ours.TryEncrypt(_plaintext, iv, _output);
    }
}
