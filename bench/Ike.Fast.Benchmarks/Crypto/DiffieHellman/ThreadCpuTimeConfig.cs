using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Ike.Fast.Benchmarks.Crypto.DiffieHellman;

/// <summary>
/// Short in-process job timed by <see cref="ThreadCpuClock"/> (CPU time of the benchmark thread): the figures are
/// per core and hold on a loaded machine. Run these classes without --short (that option adds a second,
/// wall-clock job).
/// </summary>
internal sealed class ThreadCpuTimeConfig : ManualConfig
{
    public ThreadCpuTimeConfig() =>
        AddJob(Job.ShortRun
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(3)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithClock(ThreadCpuClock.Instance)
            .WithId("CpuTime"));
}
