using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Benchmarks.Crypto.DiffieHellman;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Native.ModExp;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// MODP key pairs g^x (g = 2) per second per core, in CPU time (<see cref="ThreadCpuTimeConfig"/>): OpenSSL's
/// BN_mod_exp_mont_consttime one at a time, the 8-lane IFMA variable-base kernel with g as every base (baseline: what
/// EphemeralKeyPairPool refills ran on), and the fixed-base comb (IkeFastNative_ModExpIfmaBase8, default teeth).
/// The managed AVX-512 and AVX2 tiers (CPUs without IFMA) have the same two rows: variable-base, and their own comb.
/// OperationsPerInvoke = 8, so Mean is per key pair and pairs/s = 1e9 / Mean in ns. Groups by IKEFAST_BENCH_GROUPS
/// (default 2,5,14,15), exponent bits by IKEFAST_BENCH_EXPONENT_BITS (default 256,0; 0 is the prime's length).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThreadCpuTimeConfig))]
public class ModExpKeyPairBenchmarks
{
    private const int Operations = 8;
    private byte[] _bases = [];
    private byte[] _exponents = [];
    private byte[] _results = [];
    private int _length;
    private int _exponentLength;
    private OpenSslModExp? _openSsl;
    private IfmaModExpKernel? _variable;
    private IfmaModExpBase? _comb;
    private IModExpLaneKernel? _avx512Variable;
    private IModExpLaneKernel? _avx512Comb;
    private IModExpLaneKernel? _avx2Variable;
    private IModExpLaneKernel? _avx2Comb;

    public static IEnumerable<int> GroupIds() => FromEnvironment("IKEFAST_BENCH_GROUPS", "2,5,14,15");

    public static IEnumerable<int> ExponentBitsValues() => FromEnvironment("IKEFAST_BENCH_EXPONENT_BITS", "256,0");

    [ParamsSource(nameof(GroupIds))]
    public int Group { get; set; }

    [ParamsSource(nameof(ExponentBitsValues))]
    public int ExponentBits { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] prime = DhGroupRegistry.Get((DhGroupId)Group).Modp!.PrimeBytes;
        _length = prime.Length;
        _exponentLength = ExponentBits == 0 ? _length : ExponentBits / 8;
        _bases = new byte[Operations * _length];
        _exponents = new byte[Operations * _exponentLength];
        _results = new byte[Operations * _length];
        new Random(Group * 31 + ExponentBits).NextBytes(_exponents);
        for (int k = 0; k < Operations; k++)
        {
            _bases[((k + 1) * _length) - 1] = 2;
            _exponents[k * _exponentLength] &= 0x7F; // below p - 1 for full-length exponents
        }

        _openSsl = new OpenSslModExp(prime);
        OpenSsl();
        byte[] expected = (byte[])_results.Clone();
        if (IfmaModExpKernel.IsSupported)
        {
            _variable = new IfmaModExpKernel(prime, fixedBaseComb: false);
            _comb = new IfmaModExpBase(prime, [2], _exponentLength);
            Check(expected, VariableBase, "the variable-base IFMA kernel");
            Check(expected, FixedBaseComb, "the fixed-base comb");
        }
        else
        {
            Console.WriteLine("// AVX-512 IFMA not supported: the IFMA rows do nothing.");
        }

        if (Avx512LaneMath.IsSupported)
        {
            _avx512Variable = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(prime, ModExpTier.Avx512) { FixedBaseComb = false };
            _avx512Comb = new ManagedModExpKernel<Avx512LaneMath, Vector512<ulong>>(prime, ModExpTier.Avx512);
            Check(expected, ManagedAvx512VariableBase, "the managed AVX-512 tier");
            Check(expected, ManagedAvx512Comb, "the managed AVX-512 comb");
        }

        if (Avx2LaneMath.IsSupported)
        {
            _avx2Variable = new ManagedModExpKernel<Avx2LaneMath, Vector256<ulong>>(prime, ModExpTier.Avx2) { FixedBaseComb = false };
            _avx2Comb = new ManagedModExpKernel<Avx2LaneMath, Vector256<ulong>>(prime, ModExpTier.Avx2);
            Check(expected, ManagedAvx2VariableBase, "the managed AVX2 tier");
            Check(expected, ManagedAvx2Comb, "the managed AVX2 comb");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _openSsl?.Dispose();
        _variable?.Dispose();
        _comb?.Dispose();
        _avx512Variable?.Dispose();
        _avx512Comb?.Dispose();
        _avx2Variable?.Dispose();
        _avx2Comb?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void OpenSsl()
    {
        for (int k = 0; k < Operations; k++)
        {
            _openSsl!.ModPow(
                _bases.AsSpan(k * _length, _length),
                _exponents.AsSpan(k * _exponentLength, _exponentLength),
                _results.AsSpan(k * _length, _length));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void VariableBase() => _variable?.ModPow(_bases, _exponents, _exponentLength, _results, Operations);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void FixedBaseComb() => _comb?.Pow(_exponents, _exponentLength, _results, Operations);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void ManagedAvx512VariableBase() => _avx512Variable?.ModPow(_bases, _exponents, _exponentLength, _results, Operations);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void ManagedAvx512Comb() => _avx512Comb?.ModPow(_bases, _exponents, _exponentLength, _results, Operations);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void ManagedAvx2VariableBase() => _avx2Variable?.ModPow(_bases, _exponents, _exponentLength, _results, Operations);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void ManagedAvx2Comb() => _avx2Comb?.ModPow(_bases, _exponents, _exponentLength, _results, Operations);

    private void Check(byte[] expected, Action run, string what)
    {
        Array.Clear(_results);
        run();
        if (!_results.AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException($"{what} disagrees with OpenSSL.");
        }
    }

    private static IEnumerable<int> FromEnvironment(string name, string fallback) =>
        (Environment.GetEnvironmentVariable(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse);
}
