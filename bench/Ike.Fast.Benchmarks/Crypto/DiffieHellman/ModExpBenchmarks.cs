using System.Numerics;
using BenchmarkDotNet.Attributes;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// One MODP exponentiation (peer value ^ private exponent mod p): IkeFast's constant-time scalar tier (both
/// back-ends) against
/// OpenSSL's BN_mod_exp_mont_consttime (baseline) and BigInteger.ModPow (variable-time).
/// Restrict groups with IKEFAST_DH_GROUPS=14 (comma-separated group numbers); default 2,5,14,15,16.
/// </summary>
[MemoryDiagnoser]
public class ModExpBenchmarks
{
    private byte[] _base = [];
    private byte[] _exponent = [];
    private byte[] _result = [];
    private ModpGroup _modp = ModpGroup.Modp2048;
    private BigInteger _baseBig;
    private BigInteger _exponentBig;
    private BigInteger _prime;
    private OpenSslModExp? _openSsl;

    [ParamsSource(nameof(Groups))]
    public int Group { get; set; }

    [Params(ExponentLengthKind.Short, ExponentLengthKind.Full)]
    public ExponentLengthKind Exponent { get; set; }

    public static IEnumerable<int> Groups()
    {
        string? configured = Environment.GetEnvironmentVariable("IKEFAST_DH_GROUPS");
        return string.IsNullOrWhiteSpace(configured)
            ? [2, 5, 14, 15, 16]
            : configured.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GlobalSetup]
    public void Setup()
    {
        DhGroup group = DhGroupRegistry.Get((DhGroupId)Group);
        _modp = group.Modp!;
        var random = new Random(42);
        _base = new byte[_modp.ByteLength];
        random.NextBytes(_base);
        _base[0] &= 0x7F; // below p, like a validated peer value
        int bits = Exponent == ExponentLengthKind.Short ? group.ShortExponentBits : _modp.Bits - 1;
        _exponent = new byte[(bits + 7) / 8];
        random.NextBytes(_exponent);
        _exponent[0] |= 0x40; // exactly the intended length for every implementation
        if (bits % 8 != 0)
        {
            _exponent[0] &= 0x7F;
        }

        _result = new byte[_modp.ByteLength];
        _prime = new BigInteger(_modp.PrimeBytes, isUnsigned: true, isBigEndian: true);
        _baseBig = new BigInteger(_base, isUnsigned: true, isBigEndian: true);
        _exponentBig = new BigInteger(_exponent, isUnsigned: true, isBigEndian: true);
        _openSsl = new OpenSslModExp(_modp.PrimeBytes);

        // The three must agree before anything is timed.
        IkeFast();
        byte[] ours = (byte[])_result.Clone();
        OpenSsl();
        if (!ours.AsSpan().SequenceEqual(_result) || BigIntegerModPow() != new BigInteger(ours, isUnsigned: true, isBigEndian: true))
        {
            throw new InvalidOperationException("Implementations disagree.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _openSsl?.Dispose();

    [Benchmark(Baseline = true)]
    public void OpenSsl() => _openSsl!.ModPow(_base, _exponent, _result);

    /// <summary>The dispatching entry: AVX-512 28-bit-limb path where available.</summary>
    [Benchmark]
    public void IkeFast() => ModularExponentiation.ModExp(_base, _exponent, _modp, _result);

    /// <summary>The portable 64-bit-limb path (what a CPU without AVX-512 runs).</summary>
    [Benchmark]
    public void IkeFastScalar64()
    {
        var counter = default(NoModExpWorkCounter);
        ModularExponentiation.ModExpScalar(_base, _exponent, _modp, _result, ModularExponentiation.WindowBits(_exponent.Length * 8), ref counter);
    }

    [Benchmark]
    public BigInteger BigIntegerModPow() => BigInteger.ModPow(_baseBig, _exponentBig, _prime);
}
