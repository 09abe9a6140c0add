using System.Numerics;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Native.ModExp;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// MODP exponentiations per second per core (issue #5), in CPU time (<see cref="ThreadCpuTimeConfig"/>): OpenSSL's
/// BN_mod_exp_mont_consttime one at a time (baseline) and its two-way BN_mod_exp_mont_consttime_x2,
/// BigInteger.ModPow, the managed AVX-512 and AVX2 tiers at 8 lanes, and the IFMA tier at batch fill 1, 2, 4 and 8. Every
/// invocation does 8 exponentiations (OperationsPerInvoke), so Mean is per exponentiation and ops/s = 1e9 / Mean
/// in ns. Groups by IKEFAST_BENCH_GROUPS (default 2,5,14,15,16), exponent bits by IKEFAST_BENCH_EXPONENT_BITS
/// (default 256,0; 0 is full length, the prime's). Rows of tiers this CPU lacks measure nothing (see the log).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThreadCpuTimeConfig))]
public class ModExpBatchBenchmarks
{
    private const int Operations = 8;
    private byte[] _bases = [];
    private byte[] _exponents = [];
    private byte[] _results = [];
    private int _length;
    private int _exponentLength;
    private BigInteger _prime;
    private BigInteger[] _bigBases = [];
    private BigInteger[] _bigExponents = [];
    private OpenSslModExp? _openSsl;
    private IfmaModExpKernel? _ifma;
    private IModExpLaneKernel? _avx512;
    private IModExpLaneKernel? _avx2;

    public static IEnumerable<int> GroupIds() => FromEnvironment("IKEFAST_BENCH_GROUPS", "2,5,14,15,16");

    public static IEnumerable<int> ExponentBitsValues() => FromEnvironment("IKEFAST_BENCH_EXPONENT_BITS", "256,0");

    [ParamsSource(nameof(GroupIds))]
    public int Group { get; set; }

    [ParamsSource(nameof(ExponentBitsValues))]
    public int ExponentBits { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ModpGroup modp = DhGroupRegistry.Get((DhGroupId)Group).Modp!;
        byte[] prime = modp.PrimeBytes;
        _length = prime.Length;
        _exponentLength = ExponentBits == 0 ? _length : ExponentBits / 8;
        _prime = new BigInteger(prime, isUnsigned: true, isBigEndian: true);
        var random = new Random(Group * 17 + ExponentBits);
        _bases = new byte[Operations * _length];
        _exponents = new byte[Operations * _exponentLength];
        _results = new byte[Operations * _length];
        _bigBases = new BigInteger[Operations];
        _bigExponents = new BigInteger[Operations];
        random.NextBytes(_bases);
        random.NextBytes(_exponents);
        for (int k = 0; k < Operations; k++)
        {
            _bases[k * _length] = 0x7F; // below every MODP prime (they start with 0xFF)
            if (_exponentLength == _length)
            {
                _exponents[k * _exponentLength] &= 0x7F;
            }

            _bigBases[k] = new BigInteger(Base(k), isUnsigned: true, isBigEndian: true);
            _bigExponents[k] = new BigInteger(Exponent(k), isUnsigned: true, isBigEndian: true);
        }

        _openSsl = new OpenSslModExp(prime);
        if (IfmaModExpKernel.IsSupported)
        {
            _ifma = new IfmaModExpKernel(prime);
        }
        else
        {
            Console.WriteLine("// AVX-512 IFMA not supported: the Ifma rows measure nothing.");
        }

        if (ModExpTierSelector.IsSupported(ModExpTier.Avx512, IfmaModExpKernelFactory.Instance))
        {
            _avx512 = ModExpTierSelector.CreateKernel(ModExpTier.Avx512, prime, IfmaModExpKernelFactory.Instance);
        }
        else
        {
            Console.WriteLine("// AVX-512 not supported: the ManagedAvx512 row measures nothing.");
        }

        if (ModExpTierSelector.IsSupported(ModExpTier.Avx2, IfmaModExpKernelFactory.Instance))
        {
            _avx2 = ModExpTierSelector.CreateKernel(ModExpTier.Avx2, prime, IfmaModExpKernelFactory.Instance);
        }
        else
        {
            Console.WriteLine("// AVX2 not supported: the ManagedAvx2 row measures nothing.");
        }

        // All agree before anything is timed.
        OpenSsl();
        byte[] expected = (byte[])_results.Clone();
        Check(expected, OpenSslX2, "BN_mod_exp_mont_consttime_x2");
        Check(expected, IfmaLanes1, "the IFMA kernel (1 lane)");
        Check(expected, IfmaLanes8, "the IFMA kernel (8 lanes)");
        Check(expected, ManagedAvx512Lanes8, "the managed AVX-512 tier");
        Check(expected, ManagedAvx2Lanes8, "the managed AVX2 tier");
        for (int k = 0; k < Operations; k++)
        {
            if (BigInteger.ModPow(_bigBases[k], _bigExponents[k], _prime) != new BigInteger(Result(k), isUnsigned: true, isBigEndian: true))
            {
                throw new InvalidOperationException("BigInteger.ModPow disagrees with OpenSSL.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _openSsl?.Dispose();
        _ifma?.Dispose();
        _avx512?.Dispose();
        _avx2?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public void OpenSsl()
    {
        for (int k = 0; k < Operations; k++)
        {
            _openSsl!.ModPow(Base(k), Exponent(k), Result(k));
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void OpenSslX2()
    {
        for (int k = 0; k < Operations; k += 2)
        {
            _openSsl!.ModPow2(Base(k), Exponent(k), Result(k), Base(k + 1), Exponent(k + 1), Result(k + 1));
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public BigInteger BigIntegerModPow()
    {
        BigInteger last = default;
        for (int k = 0; k < Operations; k++)
        {
            last = BigInteger.ModPow(_bigBases[k], _bigExponents[k], _prime);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void ManagedAvx512Lanes8() => RunBatched(_avx512, 8);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void ManagedAvx2Lanes8() => RunBatched(_avx2, 8);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void IfmaLanes1() => RunBatched(_ifma, 1);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void IfmaLanes2() => RunBatched(_ifma, 2);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void IfmaLanes4() => RunBatched(_ifma, 4);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void IfmaLanes8() => RunBatched(_ifma, 8);

    private void RunBatched(IModExpLaneKernel? kernel, int lanes)
    {
        if (kernel is null)
        {
            return;
        }

        for (int k = 0; k < Operations; k += lanes)
        {
            kernel.ModPow(
                _bases.AsSpan(k * _length, lanes * _length),
                _exponents.AsSpan(k * _exponentLength, lanes * _exponentLength),
                _exponentLength,
                _results.AsSpan(k * _length, lanes * _length),
                lanes);
        }
    }

    private void Check(byte[] expected, Action run, string what)
    {
        Array.Clear(_results);
        run();
        if (!expected.AsSpan().SequenceEqual(_results) && _results.AsSpan().IndexOfAnyExcept((byte)0) >= 0)
        {
            throw new InvalidOperationException($"{what} disagrees with OpenSSL.");
        }

        expected.CopyTo(_results, 0);
    }

    private ReadOnlySpan<byte> Base(int k) => _bases.AsSpan(k * _length, _length);

    private ReadOnlySpan<byte> Exponent(int k) => _exponents.AsSpan(k * _exponentLength, _exponentLength);

    private Span<byte> Result(int k) => _results.AsSpan(k * _length, _length);

    private static IEnumerable<int> FromEnvironment(string name, string defaults) =>
        (Environment.GetEnvironmentVariable(name) ?? defaults)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse);
}
