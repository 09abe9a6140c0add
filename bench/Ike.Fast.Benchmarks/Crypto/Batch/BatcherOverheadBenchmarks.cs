using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.Batch;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Native.ModExp;

namespace Ike.Fast.Benchmarks.Crypto.Batch;

/// <summary>
/// What the sans-IO <see cref="ModExpBatcher"/> costs on top of its kernel at full lanes: the baseline calls the
/// selected tier's kernel directly with eight lanes; the other queues the same eight requests (copying bases and
/// exponents, ring bookkeeping, per-lane callbacks, wiping) and polls once. BatcherBookkeepingOnly does the same
/// over kernels that compute nothing, so its time alone is the batcher's cost: overhead = BatcherBookkeepingOnly /
/// KernelDirect (robust on a loaded machine, unlike the difference of the two larger rows). Goal: under 5%.
/// MODP-2048 and MODP-1024 (the cheapest exponentiation, where overhead shows most), 256-bit exponents.
/// </summary>
[MemoryDiagnoser]
public class BatcherOverheadBenchmarks
{
    private const int Lanes = 8;
    private readonly NullModExpCompletion _owner = new();
    private ModExpBatcher? _batcher;
    private ModExpBatcher? _nullBatcher;
    private IModExpLaneKernel? _kernel;
    private byte[] _bases = [];
    private byte[] _exponents = [];
    private byte[] _results = [];
    private int _length;
    private TimeSpan _now;

    [Params(2, 14)]
    public int Group { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new ModExpBatchOptions { NativeFactory = IfmaModExpKernelFactory.Instance };
        _batcher = new ModExpBatcher(options);
        _batcher.Prepare((DhGroupId)Group);
        _nullBatcher = new ModExpBatcher(new ModExpBatchOptions { NativeFactory = new NullModExpKernelFactory(), Tier = ModExpTier.Ifma });
        _nullBatcher.Prepare((DhGroupId)Group);
        byte[] prime = ModExpGroups.ForId((DhGroupId)Group).PrimeBytes;
        _kernel = ModExpTierSelector.CreateKernel(_batcher.Tier, prime, options.NativeFactory);
        _length = prime.Length;
        var random = new Random(7);
        _bases = new byte[Lanes * _length];
        _exponents = new byte[Lanes * 32];
        _results = new byte[Lanes * _length];
        random.NextBytes(_bases);
        random.NextBytes(_exponents);
        for (int k = 0; k < Lanes; k++)
        {
            _bases[k * _length] = 0x7F; // below the prime
        }

        Console.WriteLine($"// tier {_batcher.Tier}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batcher?.Dispose();
        _nullBatcher?.Dispose();
        _kernel?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lanes)]
    public void KernelDirect() => _kernel!.ModPow(_bases, _exponents, 32, _results, Lanes);

    [Benchmark(OperationsPerInvoke = Lanes)]
    public int ThroughBatcher() => RunThrough(_batcher!);

    [Benchmark(OperationsPerInvoke = Lanes)]
    public int BatcherBookkeepingOnly() => RunThrough(_nullBatcher!);

    private int RunThrough(ModExpBatcher batcher)
    {
        _now += TimeSpan.FromTicks(1);
        for (int k = 0; k < Lanes; k++)
        {
            batcher.TryEnqueue((DhGroupId)Group, _bases.AsSpan(k * _length, _length), _exponents.AsSpan(k * 32, 32), _owner, k, _now);
        }

        return batcher.Poll(_now);
    }
}
