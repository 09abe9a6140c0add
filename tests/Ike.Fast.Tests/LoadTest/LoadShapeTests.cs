using System.Net;
using Ike.Fast.Cli;
using Ike.Fast.LoadTest;

namespace Ike.Fast.Tests.LoadTest;

/// <summary>Open-loop rate with ramp-up, the early stop against a dead target, and the command line's target syntax.</summary>
// Sequential with the other load tests: each run wants the cores; in parallel, retransmission timers fire spuriously.
[Collection("LoadTest")]
public sealed class LoadShapeTests
{
    [Fact]
    public void Rate_WithRampUp_StartsAboutTheIntegralOfTheRate()
    {
        // 40/s over 2 s with a 1 s ramp: 40 * (2 - 0.5) = 60 handshakes (scheduling granularity allows a little slack).
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions
        {
            Rate = 40,
            Concurrency = 1000,
            RampUpSeconds = 1,
            DurationSeconds = 2,
            Count = null,
            Warmup = 4,
        });

        Assert.InRange(r.Started, 45, 75);
        Assert.Equal(r.Started, r.Completed);
        Assert.Equal(0, r.Failed);
    }

    [Fact]
    public void DeadTarget_StopsEarly_WithTimeoutsCounted()
    {
        // Port 9 (discard) on loopback: nobody answers IKE there.
        LoadTestResult r = LoadTestRunner.Run(new LoadTestOptions
        {
            Target = new IPEndPoint(IPAddress.Loopback, 9),
            Count = 1000,
            Concurrency = 8,
            TimeoutSeconds = 1,
            RetransmitMs = 200,
            Warmup = 0,
        });

        Assert.True(r.AbortedNothingCompleted);
        Assert.Equal(0, r.Completed);
        Assert.True(r.Started < 1000, $"{r.Started} started");
        Assert.Equal(r.Started, r.Failed);
        Assert.Null(r.ResponderCpuSeconds);
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1:500")]
    [InlineData("192.0.2.1:4500", "192.0.2.1:4500")]
    [InlineData("[2001:db8::1]:600", "[2001:db8::1]:600")]
    [InlineData("2001:db8::1", "[2001:db8::1]:500")]
    public void TargetSyntax(string text, string expected) =>
        Assert.Equal(expected, LoadTestCommand.ParseTarget(text).ToString());
}
