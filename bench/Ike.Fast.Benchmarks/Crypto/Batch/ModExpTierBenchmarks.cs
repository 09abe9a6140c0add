using System.Numerics;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Benchmarks.Crypto.DiffieHellman;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Native.ModExp;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// Modular exponentiations per second per core, per tier and batch fill. Every invocation does 8 useful
/// exponentiations (OperationsPerInvoke = 8): the batched tiers as 8 / Lanes calls of Lanes lanes, so the time
/// shown is per useful exponentiation at that fill; the one-at-a-time baselines (BigInteger.ModPow, OpenSSL's
/// BN_mod_exp_mont_consttime, the scalar tier) ignore Lanes. ExponentBits 0 means full length (the prime's).
/// Parameters can be narrowed by environment (comma-separated): IKEFAST_BENCH_GROUPS (default 2,5,14,15,16),
/// IKEFAST_BENCH_EXPONENT_BITS (default 256,0), IKEFAST_BENCH_LANES (default 1,4,8). Tiers the CPU lacks are skipped
/// (the method returns at once and its row says so via a near-zero time: read the tier line in the log).
/// Timed in thread CPU time (<see cref="ThreadCpuTimeConfig"/>), so the figures are per core on a shared machine.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThreadCpuTimeConfig))]
public class ModExpTierBenchmarks
{
    private const int Operations = 8;
    private readonly Dictionary<ModExpTier, IModExpLaneKernel> _kernels = [];
    private byte[] _prime = [];
    private byte[] _bases = [];
    private byte[] _exponents = [];
    private byte[] _results = [];
    private int _exponentLength;
    private BigInteger _p;
    private BigInteger[] _bigBases = [];
    private BigInteger[] _bigExponents = [];
    private OpenSslModExp? _openSsl;

    public static IEnumerable<int> GroupIds() => FromEnvironment("IKEFAST_BENCH_GROUPS", "2,5,14,15,16");

    public static IEnumerable<int> ExponentBitsValues() => FromEnvironment("IKEFAST_BENCH_EXPONENT_BITS", "256,0");

    public static IEnumerable<int> LaneValues() => FromEnvironment("IKEFAST_BENCH_LANES", "1,4,8");

    [ParamsSource(nameof(GroupIds))]
    public int Group { get; set; }

    [ParamsSource(nameof(ExponentBitsValues))]
    public int ExponentBits { get; set; }

    [ParamsSource(nameof(LaneValues))]
    public int Lanes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _prime = ModExpGroups.ForId((DhGroupId)Group).PrimeBytes;
        int len = _prime.Length;
        _exponentLength = ExponentBits == 0 ? len : ExponentBits / 8;
        _p = new BigInteger(_prime, isUnsigned: true, isBigEndian: true);
        var random = new Random(Group * 31 + ExponentBits);
        _bases = new byte[Operations * len];
        _exponents = new byte[Operations * _exponentLength];
        _results = new byte[Operations * len];
        _bigBases = new BigInteger[Operations];
        _bigExponents = new BigInteger[Operations];
        random.NextBytes(_exponents);
        for (int k = 0; k < Operations; k++)
        {
            Span<byte> b = _bases.AsSpan(k * len, len);
            random.NextBytes(b);
            b[0] = 0x7F; // below every MODP prime (they start with 0xFF)
            _bigBases[k] = new BigInteger(b, isUnsigned: true, isBigEndian: true);
            Span<byte> e = _exponents.AsSpan(k * _exponentLength, _exponentLength);
            if (_exponentLength == len)
            {
                e[0] &= 0x7F; // full-length exponents below p
            }

            _bigExponents[k] = new BigInteger(e, isUnsigned: true, isBigEndian: true);
        }

        foreach (ModExpTier tier in Enum.GetValues<ModExpTier>())
        {
            if (ModExpTierSelector.IsSupported(tier, IfmaModExpKernelFactory.Instance))
            {
                _kernels[tier] = ModExpTierSelector.CreateKernel(tier, _prime, IfmaModExpKernelFactory.Instance);
            }
            else
            {
                Console.WriteLine($"// {tier} tier not supported on this machine: its rows measure nothing.");
            }
        }

        _openSsl = new OpenSslModExp(_prime);

        // Guard: every tier agrees with OpenSSL on these inputs before anything is timed.
        OpenSslConstTime();
        byte[] expected = _results.ToArray();
        foreach (ModExpTier tier in _kernels.Keys)
        {
            Array.Clear(_results);
            if (tier == ModExpTier.Scalar)
            {
                Scalar();
            }
            else
            {
                RunBatched(tier);
            }

            if (!expected.AsSpan().SequenceEqual(_results))
            {
                throw new InvalidOperationException($"The {tier} tier disagrees with OpenSSL.");
            }
        }
    }

    private static IEnumerable<int> FromEnvironment(string name, string defaults) =>
        (Environment.GetEnvironmentVariable(name) ?? defaults)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (IModExpLaneKernel kernel in _kernels.Values)
        {
            kernel.Dispose();
        }

        _kernels.Clear();
        _openSsl?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public BigInteger BigIntegerModPow()
    {
        BigInteger last = default;
        for (int k = 0; k < Operations; k++)
        {
            last = BigInteger.ModPow(_bigBases[k], _bigExponents[k], _p);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void OpenSslConstTime()
    {
        int len = _prime.Length;
        for (int k = 0; k < Operations; k++)
        {
            _openSsl!.ModPow(_bases.AsSpan(k * len, len), _exponents.AsSpan(k * _exponentLength, _exponentLength), _results.AsSpan(k * len, len));
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void Scalar()
    {
        int len = _prime.Length;
        IModExpLaneKernel kernel = _kernels[ModExpTier.Scalar];
        for (int k = 0; k < Operations; k++)
        {
            kernel.ModPow(_bases.AsSpan(k * len, len), _exponents.AsSpan(k * _exponentLength, _exponentLength), _exponentLength, _results.AsSpan(k * len, len), 1);
        }
    }

    [Benchmark(OperationsPerInvoke = Operations)]
    public void Avx2() => RunBatched(ModExpTier.Avx2);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void Avx512() => RunBatched(ModExpTier.Avx512);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void Ifma() => RunBatched(ModExpTier.Ifma);

    private void RunBatched(ModExpTier tier)
    {
        if (!_kernels.TryGetValue(tier, out IModExpLaneKernel? kernel))
        {
            return;
        }

        int len = _prime.Length;
        for (int k = 0; k < Operations; k += Lanes)
        {
            kernel.ModPow(
                _bases.AsSpan(k * len, Lanes * len),
                _exponents.AsSpan(k * _exponentLength, Lanes * _exponentLength),
                _exponentLength,
                _results.AsSpan(k * len, Lanes * len),
                Lanes);
        }
    }
}
