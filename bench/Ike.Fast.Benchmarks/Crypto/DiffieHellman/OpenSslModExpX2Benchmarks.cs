using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.DiffieHellman;
using Ike.Native.ModExp;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// OpenSSL's two-way BN_mod_exp_mont_consttime_x2 against two plain BN_mod_exp_mont_consttime calls (baseline) and
/// the IFMA kernel at batch fill 2 and 8, per MODP group and exponent length. Times are per exponentiation
/// (OperationsPerInvoke). Groups by IKEFAST_BENCH_GROUPS (default 2,5,14,15,16), exponent bits by
/// IKEFAST_BENCH_EXPONENT_BITS (default 256,0; 0 is full length). Without IFMA the Ifma rows do nothing.
/// </summary>
[MemoryDiagnoser]
public class OpenSslModExpX2Benchmarks
{
    private const int Operations = 8;
    private byte[] _bases = [];
    private byte[] _exponents = [];
    private byte[] _results = [];
    private int _length;
    private int _exponentLength;
    private OpenSslModExp? _openSsl;
    private IfmaModExpKernel? _ifma;

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
        var random = new Random(Group * 17 + ExponentBits);
        _bases = new byte[Operations * _length];
        _exponents = new byte[Operations * _exponentLength];
        _results = new byte[Operations * _length];
        random.NextBytes(_bases);
        random.NextBytes(_exponents);
        for (int k = 0; k < Operations; k++)
        {
            _bases[k * _length] = 0x7F; // below every MODP prime (they start with 0xFF)
            if (_exponentLength == _length)
            {
                _exponents[k * _exponentLength] &= 0x7F;
            }
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

        // All agree before anything is timed.
        OpenSsl();
        byte[] expected = (byte[])_results.Clone();
        Array.Clear(_results);
        OpenSslX2();
        if (!expected.AsSpan().SequenceEqual(_results))
        {
            throw new InvalidOperationException("BN_mod_exp_mont_consttime_x2 disagrees with BN_mod_exp_mont_consttime.");
        }

        if (_ifma is not null)
        {
            Array.Clear(_results);
            IfmaLanes8();
            if (!expected.AsSpan().SequenceEqual(_results))
            {
                throw new InvalidOperationException("The IFMA kernel disagrees with OpenSSL.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _openSsl?.Dispose();
        _ifma?.Dispose();
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
    public void IfmaLanes2() => RunIfma(2);

    [Benchmark(OperationsPerInvoke = Operations)]
    public void IfmaLanes8() => RunIfma(8);

    private void RunIfma(int lanes)
    {
        if (_ifma is null)
        {
            return;
        }

        for (int k = 0; k < Operations; k += lanes)
        {
            _ifma.ModPow(
                _bases.AsSpan(k * _length, lanes * _length),
                _exponents.AsSpan(k * _exponentLength, lanes * _exponentLength),
                _exponentLength,
                _results.AsSpan(k * _length, lanes * _length),
                lanes);
        }
    }

    private ReadOnlySpan<byte> Base(int k) => _bases.AsSpan(k * _length, _length);

    private ReadOnlySpan<byte> Exponent(int k) => _exponents.AsSpan(k * _exponentLength, _exponentLength);

    private Span<byte> Result(int k) => _results.AsSpan(k * _length, _length);

    private static IEnumerable<int> FromEnvironment(string name, string defaults) =>
        (Environment.GetEnvironmentVariable(name) ?? defaults)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse);
}
