using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Ike.Fast.Crypto;

namespace Ike.Fast.Benchmarks.Crypto;

/// <summary>
/// AES-CBC over 256 bytes (a typical Quick Mode message): ours (AES-NI, round keys kept) vs .NET's
/// Aes.EncryptCbc/DecryptCbc one-shot on a reused Aes instance (baselines, one per direction).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AesCbcBenchmarks
{
    private readonly byte[] _iv = new byte[16];
    private readonly byte[] _plaintext = new byte[256];
    private readonly byte[] _ciphertext = new byte[256];
    private readonly byte[] _output = new byte[256];
    private Aes _dotnet = null!;
    private IkeCbcCipher _ours = null!;

    [Params(128, 256)]
    public int KeyBits { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = new byte[KeyBits / 8];
        RandomNumberGenerator.Fill(key);
        RandomNumberGenerator.Fill(_plaintext);
        _dotnet = Aes.Create();
        _dotnet.Key = key;
        _dotnet.EncryptCbc(_plaintext, _iv, _ciphertext, PaddingMode.None);
        IkeCbcCipher.TryCreate(IkeEncryptionAlgorithm.AesCbc, KeyBits, out IkeCbcCipher? cipher);
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
    [BenchmarkCategory("Encrypt")]
    public int DotNetEncrypt() => _dotnet.EncryptCbc(_plaintext, _iv, _output, PaddingMode.None);

    [Benchmark]
    [BenchmarkCategory("Encrypt")]
    public bool OursEncrypt()
    {
        Span<byte> iv = stackalloc byte[16];
        return _ours.TryEncrypt(_plaintext, iv, _output);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decrypt")]
    public int DotNetDecrypt() => _dotnet.DecryptCbc(_ciphertext, _iv, _output, PaddingMode.None);

    [Benchmark]
    [BenchmarkCategory("Decrypt")]
    public bool OursDecrypt()
    {
        Span<byte> iv = stackalloc byte[16];
        return _ours.TryDecrypt(_ciphertext, iv, _output);
    }
}
