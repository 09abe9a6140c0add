using System.Net;
using Ike.Fast.Host.Admission;
using Ike.Fast.Host.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using static Ike.Fast.Tests.Host.Admission.IsakmpClassifierTests;

namespace Ike.Fast.Tests.Host.Admission;

public sealed class AdmissionControlTests
{
    private static AdmissionControl Gate(AdmissionSettings settings) => new(settings, NullLogger.Instance);

    private static IPEndPoint From(string address) => new(IPAddress.Parse(address), 500);

    [Fact]
    public void ExistingPeersAlwaysPassEvenWhenNewOnesAreRefused()
    {
        var gate = Gate(new AdmissionSettings(Rate: 1, Burst: 1));
        Assert.True(gate.Admit(Header(1, 0, 2, 0), From("192.0.2.1"), false, 0));
        Assert.False(gate.Admit(Header(2, 0, 2, 0), From("192.0.2.1"), false, 0));
        for (var i = 0; i < 100; i++)
        {
            Assert.True(gate.Admit(Header(9, 8, 32, (uint)i + 1), From("192.0.2.9"), behind: true, 0));
        }

        Assert.Equal(1, gate.Refused(RefusalReason.Rate));
        Assert.Equal(100, gate.Existing);
    }

    [Fact]
    public void APrefixGetsAtMostItsShareOfHalfOpenSlots()
    {
        var gate = Gate(new AdmissionSettings(Rate: 1000, Burst: 1000, HalfOpenPerPrefix: 2));
        Assert.True(gate.Admit(Header(1, 0, 2, 0), From("198.51.100.1"), false, 0));
        Assert.True(gate.Admit(Header(2, 0, 2, 0), From("198.51.100.200"), false, 0));
        Assert.False(gate.Admit(Header(3, 0, 2, 0), From("198.51.100.7"), false, 0)); // same /24
        Assert.True(gate.Admit(Header(4, 0, 2, 0), From("198.51.101.1"), false, 0)); // next /24
        Assert.Equal(1, gate.Refused(RefusalReason.PrefixHalfOpen));

        // An established Phase 1 frees its slot.
        gate.Established(1);
        Assert.True(gate.Admit(Header(5, 0, 2, 0), From("198.51.100.7"), false, 0));
        Assert.Equal(3, gate.HalfOpen);
    }

    [Fact]
    public void Ipv6SourcesAreGroupedBySlash64()
    {
        var gate = Gate(new AdmissionSettings(Rate: 1000, Burst: 1000, HalfOpenPerPrefix: 1));
        Assert.True(gate.Admit(Header(1, 0, 2, 0), From("2001:db8:1:2::1"), false, 0));
        Assert.False(gate.Admit(Header(2, 0, 2, 0), From("2001:db8:1:2:ffff::9"), false, 0));
        Assert.True(gate.Admit(Header(3, 0, 2, 0), From("2001:db8:1:3::1"), false, 0));
    }

    [Fact]
    public void TheGlobalHalfOpenBoundHoldsAndTimesOut()
    {
        var gate = Gate(new AdmissionSettings(Rate: 1000, Burst: 1000, MaxHalfOpen: 3, HalfOpenTimeout: TimeSpan.FromSeconds(10)));
        for (var i = 1; i <= 3; i++)
        {
            Assert.True(gate.Admit(Header((ulong)i, 0, 2, 0), From($"10.{i}.0.1"), false, 0));
        }

        Assert.False(gate.Admit(Header(4, 0, 2, 0), From("10.4.0.1"), false, 1000));
        Assert.Equal(1, gate.Refused(RefusalReason.HalfOpen));
        // After the half-open timeout the slots are free again.
        Assert.True(gate.Admit(Header(4, 0, 2, 0), From("10.4.0.1"), false, 10_000));
        Assert.Equal(1, gate.HalfOpen);
    }

    [Fact]
    public void ARetransmittedFirstMessageIsNotChargedTwice()
    {
        var gate = Gate(new AdmissionSettings(Rate: 1, Burst: 1, HalfOpenPerPrefix: 1));
        Assert.True(gate.Admit(Header(7, 0, 2, 0), From("203.0.113.5"), false, 0));
        Assert.True(gate.Admit(Header(7, 0, 2, 0), From("203.0.113.5"), false, 0));
        Assert.True(gate.Admit(Header(7, 0, 2, 0), From("203.0.113.5"), behind: true, 0));
        Assert.Equal(1, gate.Admitted);
        Assert.Equal(0, gate.RefusedTotal);
    }

    [Fact]
    public void ABehindShardRefusesNewPeersFirst()
    {
        var gate = Gate(new AdmissionSettings());
        Assert.False(gate.Admit(Header(1, 0, 4, 0), From("192.0.2.1"), behind: true, 0));
        Assert.Equal(1, gate.Refused(RefusalReason.Backlog));
        var lenient = Gate(new AdmissionSettings(DropNewWhenBehind: false));
        Assert.True(lenient.Admit(Header(1, 0, 4, 0), From("192.0.2.1"), behind: true, 0));
    }

    [Fact]
    public void AdmittingAndPassingExistingPeersAllocatesNothing()
    {
        var gate = Gate(new AdmissionSettings(Rate: 1_000_000, Burst: 1_000_000, MaxHalfOpen: 1_000_000, HalfOpenPerPrefix: 1_000_000));
        var existing = Header(1, 2, 32, 5);
        var remote = From("192.0.2.1");
        void RunOnce()
        {
            for (var i = 0; i < 1000; i++)
            {
                gate.Admit(existing, remote, false, i);
            }
        }

        for (var warm = 0; warm < 50; warm++)
        {
            RunOnce();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        RunOnce();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void TheGateKeepsItsOwnClock()
    {
        var clock = new SteppedClock();
        var gate = new AdmissionControl(new AdmissionSettings(Rate: 1000, Burst: 1), NullLogger.Instance, clock);
        Assert.Equal(0, gate.NowMs);
        Assert.True(gate.Admit(Header(1, 0, 2, 0), From("192.0.2.1"), false, gate.NowMs));
        Assert.False(gate.Admit(Header(2, 0, 2, 0), From("192.0.2.2"), false, gate.NowMs));
        clock.Ticks += 1;
        Assert.Equal(1, gate.NowMs);
        Assert.True(gate.Admit(Header(3, 0, 2, 0), From("192.0.2.3"), false, gate.NowMs));
    }

    [Fact]
    public void TheDefaultRateScalesWithTheShardsAndAFixedOneDoesNot()
    {
        var auto = AdmissionSettings.Default;
        Assert.Equal(10_000, auto.EffectiveRate(1));
        Assert.Equal(20_000, auto.EffectiveRate(2));
        Assert.Equal(5000, auto.EffectiveBurst(2));
        var fixedRate = new AdmissionSettings(Rate: 300, Burst: 7);
        Assert.Equal(300, fixedRate.EffectiveRate(4));
        Assert.Equal(7, fixedRate.EffectiveBurst(4));

        // One shard behind an automatic gate: a burst of 2,500 new Phase 1s at one instant passes, the next is refused.
        var clock = new SteppedClock();
        var gate = new AdmissionControl(auto with { HalfOpenPerPrefix = 10_000 }, NullLogger.Instance, clock, shards: 1);
        for (uint i = 1; i <= 2500; i++)
        {
            Assert.True(gate.Admit(Header(i, 0, 2, 0), From("192.0.2.1"), false, gate.NowMs));
        }

        Assert.False(gate.Admit(Header(9999, 0, 2, 0), From("192.0.2.1"), false, gate.NowMs));
    }

    /// <summary>A monotonic clock in milliseconds moved by the test.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => Ticks;
    }
}
