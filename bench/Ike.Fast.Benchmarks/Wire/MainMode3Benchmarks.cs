using BenchmarkDotNet.Attributes;

namespace Ike.Fast.Benchmarks.Wire;

/// <summary>Full parse and from-scratch write of MainMode3 (see <see cref="WireBenchmarkMessages"/>), against the floor
/// of copying the same bytes.</summary>
[MemoryDiagnoser]
public class MainMode3Benchmarks
{
    private readonly byte[] _message = WireBenchmarkMessages.Build(WireBenchmarkMessages.WriteMainMode3);
    private readonly byte[] _output = new byte[4096];

    [GlobalSetup]
    public void CheckTheMessageParsesAndWritesIdentically()
    {
        int parsed = WireBenchmarkMessages.FullParse(_message);
        int written = Write();
        if (parsed < 0 || written != _message.Length || !_output.AsSpan(0, _message.Length).SequenceEqual(_message))
        {
            throw new InvalidOperationException($"benchmark message does not round-trip: parse {parsed}, wrote {written} of {_message.Length}");
        }
    }

    [Benchmark(Baseline = true)]
    public int Copy()
    {
        _message.AsSpan().CopyTo(_output);
        return _output[_message.Length - 1];
    }

    [Benchmark]
    public int Parse() => WireBenchmarkMessages.FullParse(_message);

    [Benchmark]
    public int Write() => WireBenchmarkMessages.WriteMainMode3(_output, out int length) ? length : -1;
}
