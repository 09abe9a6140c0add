using BenchmarkDotNet.Running;

namespace Ike.Fast.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project bench/Ike.Fast.Benchmarks -- --filter '*'
    private static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
