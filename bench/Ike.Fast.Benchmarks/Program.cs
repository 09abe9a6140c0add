using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Ike.Fast.Benchmarks;

/// <summary>
/// Runs the suites (one folder per engine layer). Results go to bench/results/ as GitHub markdown and CSV; the
/// markdown header records the machine (CPU, OS, runtime, SIMD support).
/// </summary>
/// <remarks>
/// dotnet run -c Release --project bench/Ike.Fast.Benchmarks -- --filter '*'            (everything, default job)
/// dotnet run -c Release --project bench/Ike.Fast.Benchmarks -- --filter '*' --short    (a few minutes)
/// Any other BenchmarkDotNet option (--filter, --list flat, --job, --runtimes, ...) passes through.
/// </remarks>
internal static class Program
{
    private static void Main(string[] args)
    {
        bool isShort = args.Contains("--short");
        string[] rest = args.Where(a => a != "--short").ToArray();

        IConfig config = DefaultConfig.Instance
            .WithArtifactsPath(ResultsDirectory())
            .AddExporter(MarkdownExporter.GitHub)
            .AddExporter(CsvExporter.Default);
        if (isShort)
        {
            // Few launches and iterations: ranks and ratios hold; absolute figures are rougher.
            config = config.AddJob(Job.ShortRun.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(3));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config);
    }

    // bench/results next to this project's folder, found from the source tree rather than the bin directory.
    private static string ResultsDirectory([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "results"));
}
