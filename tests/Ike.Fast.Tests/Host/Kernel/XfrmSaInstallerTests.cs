using System.Net;
using System.Net.Sockets;
using Ike.Fast.Host.Kernel;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Fast.Tests.Native.Xfrm;
using Ike.Native.Xfrm;

namespace Ike.Fast.Tests.Host.Kernel;

/// <summary>
/// The installer against a real kernel in a throw-away network namespace (root only). This kernel has no ESP xfrm
/// type, so SA adds are refused with ProtocolNotSupported: the install must report it and remove the policies that
/// the same batch did get in. Policies added with iproute2 stand in for an installed pair for delete/flush.
/// </summary>
public sealed class XfrmSaInstallerTests : IClassFixture<XfrmNamespace>, IDisposable
{
    private readonly XfrmNamespace _ns;
    private readonly string _journal = Path.Combine(Path.GetTempPath(), "ikef-journal-" + Guid.NewGuid().ToString("N"));

    public XfrmSaInstallerTests(XfrmNamespace ns)
    {
        _ns = ns;
    }

    public void Dispose() => File.Delete(_journal);

    [RootFact]
    public void TunnelInstallSendsPoliciesAndRollsThemBackWhenTheKernelRefusesTheSas()
    {
        var logger = new ListLogger();
        using var installer = Open(logger);
        var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.2"));
        Assert.True(spi >= 0x100);
        var sa = KernelTestData.Tunnel(spiIn: spi);
        var status = installer.TryInstall(sa);
        if (status == XfrmStatus.Success)
        {
            // A kernel with ESP: everything is in, with IkeFast's reqid and priority marks.
            string policies = _ns.Ip("xfrm", "policy");
            Assert.Contains("dir out", policies, StringComparison.Ordinal);
            Assert.Contains("dir fwd", policies, StringComparison.Ordinal);
            installer.Delete(sa);
            Assert.Equal("", _ns.Ip("xfrm", "policy").Trim());
            return;
        }

        Assert.Equal(XfrmStatus.ProtocolNotSupported, status);
        // The three policies went in with the batch (the kernel accepted them) and were removed again.
        Assert.Contains(logger.Lines, l => l.Contains("InboundSa=ProtocolNotSupported", StringComparison.Ordinal)
            && l.Contains("OutPolicy=Success, InPolicy=Success, ForwardPolicy=Success", StringComparison.Ordinal));
        Assert.Equal("", _ns.Ip("xfrm", "policy").Trim());
        Assert.Empty(installer.Owned);
        Assert.True(installer.TryDequeueEvent(out var failed));
        Assert.Equal(KernelEventKind.InstallFailed, failed.Kind);
        Assert.Equal(("gw", "net", spi), (failed.Connection, failed.Child, failed.InboundSpi));

        // The daemon then deletes the child: only the larval SA from ALLOCSPI is left to release.
        installer.Delete(sa);
        Assert.DoesNotContain($"0x{spi:x8}", _ns.Ip("xfrm", "state"), StringComparison.Ordinal);
    }

    /// <summary>
    /// Several shards share one installer and so one netlink socket: two threads allocating, installing and releasing
    /// at once must each get their own acknowledgements (before the installer serialised its netlink round trips, they
    /// took each other's: allocations fell back to random SPIs and installs failed with TimedOut after 5 s, seen in
    /// bench/race.sh with two shards). Every install here must end with the kernel's own answer, not a timeout.
    /// </summary>
    [RootFact]
    public void ConcurrentShardsGetTheirOwnAcknowledgements()
    {
        var logger = new ListLogger();
        // Kernel allocation: the SPIs' round trips share the socket too (the daemon's own need none).
        using var installer = Open(logger, XfrmSpiAllocation.Kernel);
        const int PerThread = 40;
        var statuses = new System.Collections.Concurrent.ConcurrentBag<XfrmStatus>();
        void Work(int thread)
        {
            for (var i = 0; i < PerThread; i++)
            {
                var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Parse("192.0.2.1"), IPAddress.Parse($"198.51.100.{10 + thread}"));
                var sa = KernelTestData.Tunnel(spiIn: spi, spiOut: 0x0badf000u + (uint)((thread * PerThread) + i), child: $"net{thread}");
                statuses.Add(installer.TryInstall(sa));
                installer.Delete(sa);
            }
        }

        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() => Work(t))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(2 * PerThread, statuses.Count);
        Assert.All(statuses, s => Assert.True(s is XfrmStatus.Success or XfrmStatus.ProtocolNotSupported, s.ToString()));
        Assert.DoesNotContain(logger.Lines, l => l.Contains("SPI allocation failed", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Contains("TimedOut", StringComparison.Ordinal));
        Assert.Equal("", _ns.Ip("xfrm", "policy").Trim());
        Assert.Empty(installer.Owned);
    }

    [RootFact]
    public void KernelSpiAllocationLeavesALarvalSaThatReleaseRemoves()
    {
        using var installer = Open(new ListLogger(), XfrmSpiAllocation.Kernel);
        var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.9"));
        Assert.Contains($"0x{spi:x8}", _ns.Ip("xfrm", "state"), StringComparison.Ordinal);
        installer.Release(IpsecProtocol.Esp, spi);
        Assert.DoesNotContain($"0x{spi:x8}", _ns.Ip("xfrm", "state"), StringComparison.Ordinal);
    }

    /// <summary>
    /// The default allocation: random SPIs in range, unique among the installer's reservations, nothing in the kernel
    /// (no larval SA, no netlink round trip); a released SPI is free again and leaves no trace.
    /// </summary>
    [RootFact]
    public void DaemonSpiAllocationReservesUniqueSpisWithoutKernelState()
    {
        var status = XfrmSaInstaller.TryOpen(new XfrmInstallerOptions
            {
                NetworkNamespacePath = _ns.Path, JournalPath = _journal, SpiMin = 0x1000, SpiMax = 0x1fff,
            },
            new ListLogger(), null, out var opened);
        Assert.Equal(XfrmStatus.Success, status);
        using var installer = opened!;
        var spis = new HashSet<uint>();
        for (var i = 0; i < 2048; i++)
        {
            var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Parse("192.0.2.1"), IPAddress.Parse($"198.51.100.{i % 200}"));
            Assert.InRange(spi, 0x1000u, 0x1fffu);
            Assert.True(spis.Add(spi), $"SPI {spi:x8} handed out twice");
        }

        Assert.Equal("", _ns.Ip("xfrm", "state").Trim());
        var first = spis.First();
        installer.Release(IpsecProtocol.Esp, first);
        // 2,047 of 4,096 held: 2,049 more draws take every free SPI, the released one among them, and nothing twice.
        var again = new HashSet<uint>();
        for (var i = 0; i < 2049; i++)
        {
            var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.1"));
            Assert.True(spi == first || !spis.Contains(spi));
            Assert.True(again.Add(spi));
        }

        Assert.Contains(first, again);
        Assert.Equal("", _ns.Ip("xfrm", "state").Trim());
    }

    [RootFact]
    public void DeleteRemovesTheChildsPoliciesAndShutdownFlushesTheRest()
    {
        using (var installer = Open(new ListLogger()))
        {
            var first = Owned(0x49460101, "10.1.0.0/24", "10.2.0.0/24", 0x1111);
            var second = Owned(0x49460102, "10.3.0.0/24", "10.4.0.0/24", 0x2222);
            AddPolicies(first);
            AddPolicies(second);
            installer.Adopt(first);
            installer.Adopt(second);
            Assert.Equal(6, PolicyCount());
            // Their removal goes by the kernel's index (XfrmSaInstaller.Remove).
            Assert.NotEqual(0u, installer.PolicyIndex(first.ReqId, XfrmPolicyDirection.Forward));
            Assert.Equal(2, File.ReadAllLines(_journal).Count(l => !l.StartsWith('#')));

            installer.Delete(KernelTestData.Tunnel(spiIn: 0x1111));
            Assert.Equal(3, PolicyCount());
            Assert.DoesNotContain("10.1.0.0/24", _ns.Ip("xfrm", "policy"), StringComparison.Ordinal);
        }

        // Dispose (daemon shutdown) removed the other child; a clean stop leaves no journal.
        Assert.Equal(0, PolicyCount());
        Assert.False(File.Exists(_journal));
    }

    /// <summary>
    /// Removals by index and, one in <see cref="XfrmSaInstaller.PruneEvery"/>, by selector: every child's policies go,
    /// and a foreign policy whose selector sits in the same prefix tree stays.
    /// </summary>
    [RootFact]
    public void RemovalsByIndexAndBySelectorLeaveOnlyForeignPolicies()
    {
        // Another daemon's policy among ours (same local prefix, another peer).
        _ns.Ip("xfrm", "policy", "add", "src", "10.12.0.0/16", "dst", "198.51.101.250/32", "dir", "out", "priority", "375423",
            "tmpl", "src", "192.0.2.1", "dst", "198.51.101.250", "proto", "esp", "reqid", "5", "mode", "tunnel");
        using (var installer = Open(new ListLogger()))
        {
            const int Children = XfrmSaInstaller.PruneEvery + 6;
            using var xfrm = OpenSocket();
            using var batch = new XfrmBatch();
            for (var i = 0; i < Children; i++)
            {
                var owned = Owned(0x49460600 + (uint)i, "10.12.0.0/16", $"198.51.101.{i}/32", 0x6000 + (uint)i);
                foreach (var (selector, direction) in (ReadOnlySpan<(XfrmSelector, XfrmPolicyDirection)>)[
                    (owned.OutSelector, XfrmPolicyDirection.Out), (owned.InSelector, XfrmPolicyDirection.In),
                    (owned.InSelector, XfrmPolicyDirection.Forward)])
                {
                    batch.AddPolicy(new XfrmPolicyParameters { Selector = selector, Direction = direction });
                }

                Assert.Equal(XfrmStatus.Success, xfrm.Send(batch, new XfrmStatus[3]));
                installer.Adopt(owned);
            }

            Assert.Equal((3 * Children) + 1, PolicyCount());
            for (var i = 0; i < Children; i++)
            {
                installer.Delete(KernelTestData.Tunnel(spiIn: 0x6000 + (uint)i));
            }

            Assert.Equal(1, PolicyCount());
            Assert.Empty(installer.Owned);
        }

        Assert.Contains("dst 198.51.101.250/32", _ns.Ip("xfrm", "policy"), StringComparison.Ordinal);
        _ns.Ip("xfrm", "policy", "del", "src", "10.12.0.0/16", "dst", "198.51.101.250/32", "dir", "out");
    }

    /// <summary>
    /// Policies under indexes the installer chose (as an install sends them; this kernel refuses the SAs, so iproute2
    /// adds the policies with `index N`): the kernel keeps the indexes (read back with `ip -s xfrm policy`), and the
    /// removal by index leaves only the foreign policy, which has a kernel-generated index.
    /// </summary>
    [RootFact]
    public void ChosenPolicyIndexesAreKeptAndRemovalByThemLeavesOnlyForeignPolicies()
    {
        _ns.Ip("xfrm", "policy", "add", "src", "10.13.0.0/16", "dst", "198.51.102.250/32", "dir", "out", "priority", "375423",
            "tmpl", "src", "192.0.2.1", "dst", "198.51.102.250", "proto", "esp", "reqid", "5", "mode", "tunnel");
        using (var installer = Open(new ListLogger()))
        {
            Assert.True(installer.ChoosePolicyIndices);
            var drawn = new List<uint>();
            const int Children = 5;
            for (var i = 0; i < Children; i++)
            {
                var owned = Owned(0x49460700 + (uint)i, "10.13.0.0/16", $"198.51.102.{i}/32", 0x7000 + (uint)i);
                var (o, n, f) = installer.DrawPolicyIndices(forward: true);
                Assert.Equal((1u, 0u, 2u), (o & 7, n & 7, f & 7));
                Assert.True(o >= XfrmSaInstaller.PolicyIndexBase);
                AddPolicies(owned, o, n, f);
                installer.Adopt(owned, o, n, f);
                Assert.Equal(o, installer.PolicyIndex(owned.ReqId, XfrmPolicyDirection.Out));
                drawn.AddRange([o, n, f]);
            }

            Assert.Equal(3 * Children, drawn.Distinct().Count());
            string listed = _ns.Ip("-s", "xfrm", "policy");
            foreach (var index in drawn)
            {
                Assert.Contains($" index {index} ", listed, StringComparison.Ordinal);
            }

            Assert.Equal((3 * Children) + 1, PolicyCount());
            for (var i = 0; i < Children; i++)
            {
                installer.Delete(KernelTestData.Tunnel(spiIn: 0x7000 + (uint)i));
            }

            Assert.Equal(1, PolicyCount());
            Assert.Empty(installer.Owned);
        }

        Assert.Contains("dst 198.51.102.250/32", _ns.Ip("xfrm", "policy"), StringComparison.Ordinal);
        _ns.Ip("xfrm", "policy", "del", "src", "10.13.0.0/16", "dst", "198.51.102.250/32", "dir", "out");
    }

    [RootFact]
    public void StartFlushesStaleOwnedStateButNotForeignPolicies()
    {
        var stale = Owned(0x49460201, "10.5.0.0/24", "10.6.0.0/24", 0x3333);
        AddPolicies(stale);
        // Another daemon's policy (strongSwan-like priority, its own reqid).
        _ns.Ip("xfrm", "policy", "add", "src", "10.7.0.0/24", "dst", "10.8.0.0/24", "dir", "out", "priority", "375423",
            "tmpl", "src", "192.0.2.1", "dst", "198.51.100.7", "proto", "esp", "reqid", "5", "mode", "tunnel");
        // A pair removed in the previous run ("-") is not flushed again; the live one is.
        var gone = Owned(0x49460202, "10.9.0.0/24", "10.10.0.0/24", 0x4444);
        File.WriteAllLines(_journal, ["# previous run", "+ " + gone.ToLine(), "+ " + stale.ToLine(), "- 00004444"]);

        using var installer = Open(new ListLogger());
        Assert.Equal(1, installer.FlushedAtStart);
        string policies = _ns.Ip("xfrm", "policy");
        Assert.DoesNotContain("10.5.0.0/24", policies, StringComparison.Ordinal);
        Assert.Contains("src 10.7.0.0/24 dst 10.8.0.0/24", policies, StringComparison.Ordinal);
        Assert.Equal(1, PolicyCount());
        _ns.Ip("xfrm", "policy", "del", "src", "10.7.0.0/24", "dst", "10.8.0.0/24", "dir", "out");
    }

    /// <summary>
    /// Compaction waits for a fixed slack beyond four lines per live pair: under churn with a few hundred peers a
    /// rewrite per few hundred teardowns cost ~3 us each in bench/race.sh.
    /// </summary>
    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(XfrmSaInstaller.JournalSlack, 0, false)]
    [InlineData(XfrmSaInstaller.JournalSlack + 1, 0, true)]
    [InlineData(1_000, 240, false)]
    [InlineData(XfrmSaInstaller.JournalSlack + 960, 240, false)]
    [InlineData(XfrmSaInstaller.JournalSlack + 961, 240, true)]
    [InlineData(40_000, 10_000, false)]
    public void JournalCompactsOnlyBeyondItsSlack(int lines, int live, bool expected) =>
        Assert.Equal(expected, XfrmSaInstaller.JournalNeedsCompaction(lines, live));

    [Fact]
    public void JournalReplaysAdditionsAndRemovalsAndCompacts()
    {
        var journal = new OwnedStateJournal(_journal, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var a = Owned(0x49460401, "10.1.0.0/24", "10.2.0.0/24", 0x1000);
        var b = Owned(0x49460402, "10.3.0.0/24", "10.4.0.0/24", 0x2000);
        journal.Added(a);
        journal.Added(b);
        journal.Removed(0x1000);
        // The removal waits for the next write (a crash now would only remove a again at the next start).
        Assert.Equal(2, journal.Lines);
        Assert.Equal(1, journal.PendingRemovals);
        Assert.Equal([a.ToLine(), b.ToLine()], journal.Load().Select(o => o.ToLine()));
        journal.WritePending();
        Assert.Equal(3, journal.Lines);
        Assert.Equal([b.ToLine()], journal.Load().Select(o => o.ToLine()));

        journal.Rewrite([b]);
        Assert.Equal(1, journal.Lines);
        Assert.Equal(["+ " + b.ToLine()], File.ReadAllLines(_journal).Where(l => !l.StartsWith('#')));
        journal.Delete();
        Assert.Empty(journal.Load());
    }

    /// <summary>
    /// The journal keeps its file open between appends (one pwrite per line): a line is readable by another reader as soon
    /// as the call returns (what a restart after SIGKILL reads), appends after a compaction go to the new file, and
    /// appends after <see cref="OwnedStateJournal.Delete"/> start a fresh one.
    /// </summary>
    [Fact]
    public void JournalAppendsToItsOpenFileAcrossRewrites()
    {
        using var journal = new OwnedStateJournal(_journal, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var a = Owned(0x49460501, "10.1.0.0/24", "10.2.0.0/24", 0x3000);
        var b = Owned(0x49460502, "10.3.0.0/24", "10.4.0.0/24", 0x4000);
        var c = Owned(0x49460503, "10.5.0.0/24", "10.6.0.0/24", 0x5000);
        journal.Added(a);
        Assert.Equal(["+ " + a.ToLine()], File.ReadAllLines(_journal));

        journal.Rewrite([a]);
        journal.Added(b);
        journal.Removed(0x3000);
        journal.WritePending();
        Assert.Equal([b.ToLine()], new OwnedStateJournal(_journal, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .Load().Select(o => o.ToLine()));
        Assert.Equal(3, journal.Lines);

        journal.Delete();
        Assert.False(File.Exists(_journal));
        journal.Added(c);
        Assert.Equal(["+ " + c.ToLine()], File.ReadAllLines(_journal));
    }

    /// <summary>
    /// A removal line goes out with the next addition, before it, in one write (one pwrite per handshake under churn);
    /// <see cref="OwnedStateJournal.PendingRemovalLimit"/> removals in a row are written without waiting.
    /// </summary>
    [Fact]
    public void JournalWritesRemovalsWithTheNextAddition()
    {
        using var journal = new OwnedStateJournal(_journal, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var a = Owned(0x49460601, "10.1.0.0/24", "10.2.0.0/24", 0x6000);
        var b = Owned(0x49460602, "10.3.0.0/24", "10.4.0.0/24", 0x6001);
        journal.Added(a);
        journal.Removed(0x6000);
        journal.Removed(0xabcdef12);
        Assert.Equal(["+ " + a.ToLine()], File.ReadAllLines(_journal));

        journal.Added(b);
        Assert.Equal(["+ " + a.ToLine(), "- 00006000", "- abcdef12", "+ " + b.ToLine()], File.ReadAllLines(_journal));
        Assert.Equal(4, journal.Lines);
        Assert.Equal(0, journal.PendingRemovals);

        for (uint spi = 1; spi < OwnedStateJournal.PendingRemovalLimit; spi++)
        {
            journal.Removed(spi);
        }

        Assert.Equal(4, File.ReadAllLines(_journal).Length);
        journal.Removed(0x6001);
        Assert.Equal(0, journal.PendingRemovals);
        Assert.Equal(4 + OwnedStateJournal.PendingRemovalLimit, File.ReadAllLines(_journal).Length);
        Assert.Empty(journal.Load());

        // A rewrite lists the live entries: what was held back is dropped with the old file.
        journal.Added(a);
        journal.Removed(0x6000);
        journal.Rewrite([]);
        Assert.Equal(0, journal.PendingRemovals);
        Assert.Empty(journal.Load());
    }

    [Fact]
    public void JournalLinesRoundTrip()
    {
        var owned = Owned(0x49460301, "10.1.0.0/24", "10.2.0.0/24", 0xc0ffee01);
        Assert.True(OwnedChildSa.TryParse(owned.ToLine(), out var parsed));
        Assert.Equal(owned.ToLine(), parsed!.ToLine());
        Assert.False(OwnedChildSa.TryParse("garbage", out _));
    }

    /// <summary>
    /// A held removal (the daemon's <see cref="XfrmInstallerOptions.RemovalDelay"/>) leaves the kernel as it is until the
    /// next install, whose sendmsg carries it in front of the install's own messages: the removed child's policies go,
    /// and the install's outcome is still read from its own messages (here: SAs refused, its policies accepted and
    /// rolled back, InstallFailed queued), not from the removal's answers before them.
    /// </summary>
    [RootFact]
    public void HeldRemovalGoesOutInFrontOfTheNextInstall()
    {
        var logger = new ListLogger();
        using var installer = Open(logger, removalDelay: TimeSpan.FromHours(1));
        Adopted(installer, 0x49460800, "10.14.0.0/16", "198.51.103.1/32", 0x8000);
        installer.Delete(KernelTestData.Tunnel(spiIn: 0x8000));
        Assert.Empty(installer.Owned);
        Assert.Equal(3, PolicyCount());
        Assert.NotNull(installer.HeldBackFor);
        Assert.True(installer.HeldBackFor > TimeSpan.Zero);
        installer.Flush(dueOnly: true);
        Assert.Equal(3, PolicyCount());

        var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.2"));
        var sa = KernelTestData.Tunnel(spiIn: spi);
        var status = installer.TryInstall(sa);

        Assert.Null(installer.HeldBackFor);
        Assert.DoesNotContain("198.51.103.1/32", _ns.Ip("xfrm", "policy"), StringComparison.Ordinal);
        if (status == XfrmStatus.Success)
        {
            Assert.Equal(3, PolicyCount());
            installer.Delete(sa);
            installer.Flush(dueOnly: false);
            Assert.Equal(0, PolicyCount());
            return;
        }

        Assert.Equal(XfrmStatus.ProtocolNotSupported, status);
        Assert.Contains(logger.Lines, l => l.Contains("InboundSa=ProtocolNotSupported", StringComparison.Ordinal)
            && l.Contains("OutPolicy=Success, InPolicy=Success, ForwardPolicy=Success", StringComparison.Ordinal));
        Assert.Equal(0, PolicyCount());
        Assert.True(installer.TryDequeueEvent(out var failed));
        Assert.Equal((KernelEventKind.InstallFailed, spi), (failed.Kind, failed.InboundSpi));
        Assert.DoesNotContain(logger.Lines, l => l.Contains("removal of reqid", StringComparison.Ordinal));
    }

    /// <summary>
    /// Held removals wait at most their delay (<see cref="XfrmSaInstaller.Flush"/> with dueOnly sends them once it is
    /// over), all of them go with any flush, and <see cref="XfrmSaInstaller.MaxHeldRemovals"/> of them in a row are sent
    /// without waiting; shutdown sends what still waits.
    /// </summary>
    [RootFact]
    public void HeldRemovalsAreSentWhenDueWhenTooManyWaitAndAtShutdown()
    {
        using (var installer = Open(new ListLogger(), removalDelay: TimeSpan.FromTicks(1)))
        {
            Adopted(installer, 0x49460900, "10.15.0.0/16", "198.51.104.1/32", 0x9000);
            installer.Delete(KernelTestData.Tunnel(spiIn: 0x9000));
            SpinWait.SpinUntil(() => installer.HeldBackFor == TimeSpan.Zero);
            Assert.Equal(3, PolicyCount());
            installer.Flush(dueOnly: true);
            Assert.Equal(0, PolicyCount());
            Assert.Null(installer.HeldBackFor);
        }

        using (var installer = Open(new ListLogger(), removalDelay: TimeSpan.FromHours(1)))
        {
            const int Children = XfrmSaInstaller.MaxHeldRemovals + 1;
            for (var i = 0; i < Children; i++)
            {
                Adopted(installer, 0x49460a00 + (uint)i, "10.16.0.0/16", $"198.51.105.{i}/32", 0xa000 + (uint)i);
            }

            for (var i = 0; i < Children - 1; i++)
            {
                installer.Delete(KernelTestData.Tunnel(spiIn: 0xa000 + (uint)i));
            }

            Assert.Equal(3 * Children, PolicyCount());
            installer.Delete(KernelTestData.Tunnel(spiIn: 0xa000 + Children - 1));
            // The first MaxHeldRemovals went when one more came; the last one waits.
            Assert.Equal(3, PolicyCount());
            Assert.Contains($"198.51.105.{Children - 1}/32", _ns.Ip("xfrm", "policy"), StringComparison.Ordinal);
            Assert.Empty(installer.Owned);
        }

        Assert.Equal(0, PolicyCount());
        Assert.False(File.Exists(_journal));
    }

    /// <summary>
    /// Two shards deleting and installing at once over one installer with held removals: each install carries whatever
    /// removals wait (the other thread's too) and reads its own answers after theirs; no answer is lost or taken by the
    /// wrong request, and every removed child's policies are gone at the end.
    /// </summary>
    [RootFact]
    public void ConcurrentShardsShareHeldRemovals()
    {
        var logger = new ListLogger();
        using var installer = Open(logger, removalDelay: TimeSpan.FromHours(1));
        const int PerThread = 12;
        for (var t = 0; t < 2; t++)
        {
            for (var i = 0; i < PerThread; i++)
            {
                Adopted(installer, 0x49460b00 + (uint)((t * PerThread) + i), "10.17.0.0/16", $"198.51.{106 + t}.{i}/32",
                    0xb000 + (uint)((t * PerThread) + i));
            }
        }

        Assert.Equal(3 * 2 * PerThread, PolicyCount());
        var statuses = new System.Collections.Concurrent.ConcurrentBag<XfrmStatus>();
        void Work(int thread)
        {
            for (var i = 0; i < PerThread; i++)
            {
                installer.Delete(KernelTestData.Tunnel(spiIn: 0xb000 + (uint)((thread * PerThread) + i)));
                var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Parse("192.0.2.1"), IPAddress.Parse($"198.51.100.{10 + thread}"));
                var sa = KernelTestData.Tunnel(spiIn: spi, spiOut: 0x0badb000u + (uint)((thread * PerThread) + i), child: $"net{thread}");
                statuses.Add(installer.TryInstall(sa));
                installer.Delete(sa);
            }
        }

        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() => Work(t))).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        installer.Flush(dueOnly: false);

        Assert.Equal(2 * PerThread, statuses.Count);
        Assert.All(statuses, s => Assert.True(s is XfrmStatus.Success or XfrmStatus.ProtocolNotSupported, s.ToString()));
        Assert.DoesNotContain(logger.Lines, l => l.Contains("not acknowledged", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Contains("removal of reqid", StringComparison.Ordinal));
        Assert.Equal(0, PolicyCount());
        Assert.Empty(installer.Owned);
    }

    /// <summary>
    /// A refusal in the middle of an install batch (sent with one barrier ack, behind held removals) lands on the message
    /// that caused it: a foreign policy with the install's out selector makes that add fail with EEXIST while the in and
    /// fwd adds succeed; the rollback removes exactly what the install put in and leaves the foreign policy.
    /// </summary>
    [RootFact]
    public void RefusalInsideAnInstallBatchIsMappedToItsMessageAndOnlyAcceptedMessagesAreRolledBack()
    {
        _ns.Ip("xfrm", "policy", "add", "src", "10.1.0.0/24", "dst", "10.2.0.0/24", "dir", "out", "priority", "100",
            "tmpl", "src", "192.0.2.1", "dst", "198.51.100.99", "proto", "esp", "reqid", "9", "mode", "tunnel");
        var logger = new ListLogger();
        using (var installer = Open(logger, removalDelay: TimeSpan.FromHours(1)))
        {
            Adopted(installer, 0x49460c00, "10.18.0.0/16", "198.51.108.1/32", 0xc000);
            installer.Delete(KernelTestData.Tunnel(spiIn: 0xc000));
            var spi = installer.Allocate(IpsecProtocol.Esp, IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.2"));

            var status = installer.TryInstall(KernelTestData.Tunnel(spiIn: spi));

            Assert.NotEqual(XfrmStatus.Success, status);
            var line = Assert.Single(logger.Lines, l => l.Contains("kernel refused", StringComparison.Ordinal));
            Assert.Contains("OutPolicy=AlreadyExists, InPolicy=Success, ForwardPolicy=Success", line, StringComparison.Ordinal);
            // The held removal went with the batch; the install's accepted policies were rolled back; the foreign one stays.
            Assert.Equal(1, PolicyCount());
            Assert.Contains("198.51.100.99", _ns.Ip("xfrm", "policy"), StringComparison.Ordinal);
            Assert.True(installer.TryDequeueEvent(out var failed));
            Assert.Equal(KernelEventKind.InstallFailed, failed.Kind);
        }

        _ns.Ip("xfrm", "policy", "del", "src", "10.1.0.0/24", "dst", "10.2.0.0/24", "dir", "out");
    }

    /// <summary>
    /// The steady-state teardown (bench/race.sh: a peer's older pair deleted before each new handshake) allocates
    /// nothing in the installer: ownership tables, journal removal lines (written in batches of <see
    /// cref="OwnedStateJournal.PendingRemovalLimit"/>), held-back kernel messages and their send (every <see
    /// cref="XfrmSaInstaller.MaxHeldRemovals"/>). Logging off, as in the race. The pairs are owned without kernel
    /// policies: the kernel answers "not found", which the installer takes as done (and retries by selector).
    /// </summary>
    [RootFact]
    public void SteadyStateDeleteAllocatesNothing()
    {
        const int Warm = 40;
        const int Measured = 96;
        var status = XfrmSaInstaller.TryOpen(
            new XfrmInstallerOptions { NetworkNamespacePath = _ns.Path, JournalPath = _journal, RemovalDelay = TimeSpan.FromHours(1) },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, null, out var opened);
        Assert.Equal(XfrmStatus.Success, status);
        using var installer = opened!;
        var children = new ChildSaInfo[Warm + Measured];
        for (int i = 0; i < children.Length; i++)
        {
            uint spi = 0x00a00000u + ((uint)i << 4);
            var owned = Owned(0x49461000u + (uint)i, $"10.{20 + (i >> 8)}.{i & 0xff}.0/24", $"198.51.{105 + (i >> 8)}.{i & 0xff}/32", spi);
            var (o, n, f) = installer.DrawPolicyIndices(forward: true);
            installer.Adopt(owned, o, n, f);
            children[i] = KernelTestData.Tunnel(spiIn: spi);
        }

        for (int i = 0; i < Warm; i++)
        {
            installer.Delete(children[i]);
        }

        installer.Flush(dueOnly: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = Warm; i < children.Length; i++)
        {
            installer.Delete(children[i]);
        }

        installer.Flush(dueOnly: false);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Empty(installer.Owned);
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// A kernel that refuses the daemon's chosen policy indexes with EINVAL (forced here: the chosen indexes name another
    /// direction in their low three bits, which verify_newpolicy_info refuses). SA messages go as NOOPs (this kernel has
    /// no ESP), so the install runs end to end: the refused batch is rolled back, the installer stops choosing, installs
    /// the same pair again at once with GETPOLICY after the adds, keeps the kernel's indexes, and removes by them.
    /// </summary>
    [RootFact]
    public void RefusedChosenIndexFallsBackToIndexesLearntWithGetPolicy()
    {
        var logger = new ListLogger();
        var first = KernelTestData.Tunnel(spiIn: 0xd000, spiOut: 0xd001, localTs: "10.30.0.0/16", remoteTs: "10.31.1.0/24");
        var second = KernelTestData.Tunnel(spiIn: 0xd010, spiOut: 0xd011, child: "net2", localTs: "10.30.0.0/16", remoteTs: "10.31.2.0/24");
        using (var installer = Open(logger, removalDelay: TimeSpan.FromHours(1)))
        {
            installer.Batch.SaMessagesAsNoop = true;
            installer.MisdirectChosenIndices = true;

            Assert.Equal(XfrmStatus.Success, installer.TryInstall(first));

            Assert.False(installer.ChoosePolicyIndices);
            var warning = Assert.Single(logger.Lines, l => l.Contains("refused a chosen policy index", StringComparison.Ordinal));
            Assert.Contains("OutPolicy=InvalidArgument, InPolicy=InvalidArgument, ForwardPolicy=InvalidArgument", warning, StringComparison.Ordinal);
            Assert.DoesNotContain(logger.Lines, l => l.Contains("failed", StringComparison.Ordinal));
            Assert.False(installer.TryDequeueEvent(out _));

            // A later install learns its indexes the same way, without another refusal.
            Assert.Equal(XfrmStatus.Success, installer.TryInstall(second));
            Assert.Single(logger.Lines, l => l.Contains("refused a chosen policy index", StringComparison.Ordinal));

            Assert.Equal(2, installer.Owned.Count);
            Assert.Equal(6, PolicyCount());
            var listed = PolicyBlocks();
            var learnt = new List<uint>();
            foreach (var owned in installer.Owned)
            {
                foreach (var (direction, name, selector) in (ReadOnlySpan<(XfrmPolicyDirection, string, XfrmSelector)>)[
                    (XfrmPolicyDirection.Out, "out", owned.OutSelector), (XfrmPolicyDirection.In, "in", owned.InSelector),
                    (XfrmPolicyDirection.Forward, "fwd", owned.InSelector)])
                {
                    var index = installer.PolicyIndex(owned.ReqId, direction);
                    // The kernel's own numbering (generator | dir, from 8 upwards), as `ip -s xfrm policy` lists it for
                    // this child's policy of that direction.
                    Assert.NotEqual(0u, index);
                    Assert.True(index < XfrmSaInstaller.PolicyIndexBase, $"0x{index:x8}");
                    Assert.Equal((uint)direction, index & 7);
                    var block = Assert.Single(listed, b => b.Contains($"src {Prefix(selector, source: true)} dst {Prefix(selector, source: false)}",
                        StringComparison.Ordinal) && b.Contains($"dir {name} ", StringComparison.Ordinal));
                    Assert.Contains($" index {index} ", block, StringComparison.Ordinal);
                    learnt.Add(index);
                }
            }

            Assert.Equal(6, learnt.Distinct().Count());

            // Ownership and journal list both pairs under their reqids.
            var journal = new OwnedStateJournal(_journal, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Load();
            Assert.Equal(installer.Owned.Select(o => (o.ReqId, o.InboundSpi)).Order(), journal.Select(o => (o.ReqId, o.InboundSpi)).Order());

            installer.Delete(first);
            installer.Delete(second);
            installer.Flush(dueOnly: false);

            Assert.Equal(0, PolicyCount());
            Assert.Empty(installer.Owned);
            Assert.DoesNotContain(logger.Lines, l => l.Contains("removal of reqid", StringComparison.Ordinal));
        }

        Assert.False(File.Exists(_journal));
    }

    /// <summary>
    /// The weak spot of chosen indexes: another program's policy already at the index the installer chooses next. Linux
    /// does not refuse the install (xfrm_gen_index silently gives ours a generated index; NEWPOLICY's exclusivity is
    /// about selectors, not indexes), and a delete by index compares no selector (xfrm_policy_byid matches type,
    /// index, direction, mark and if_id only): the removal deletes the FOREIGN policy and leaves our out policy behind.
    /// This documents what happens (see the Kernel README); the installer cannot see it without an extra message.
    /// </summary>
    [RootFact]
    public void ForeignPolicyHoldingAChosenIndexIsWhatTheDeleteByThatIndexRemoves()
    {
        var logger = new ListLogger();
        var sa = KernelTestData.Tunnel(spiIn: 0xe000, spiOut: 0xe001, localTs: "10.41.0.0/24", remoteTs: "10.42.0.0/24");
        uint next;
        using (var installer = Open(logger, removalDelay: TimeSpan.FromHours(1)))
        {
            installer.Batch.SaMessagesAsNoop = true;
            var (drawn, _, _) = installer.DrawPolicyIndices(forward: true);
            next = XfrmSaInstaller.PolicyIndexBase | ((((drawn >> 3) + 1) & 0x0fff_ffff) << 3) | (uint)XfrmPolicyDirection.Out;
            _ns.Ip("xfrm", "policy", "add", "src", "10.40.0.0/16", "dst", "198.51.120.250/32", "dir", "out", "priority", "375423",
                "index", next.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "tmpl", "src", "192.0.2.1", "dst", "198.51.120.250", "proto", "esp", "reqid", "5", "mode", "tunnel");

            Assert.Equal(XfrmStatus.Success, installer.TryInstall(sa));

            var owned = Assert.Single(installer.Owned);
            Assert.Equal(next, installer.PolicyIndex(owned.ReqId, XfrmPolicyDirection.Out));
            var blocks = PolicyBlocks();
            Assert.Contains($" index {next} ", Assert.Single(blocks, b => b.Contains("198.51.120.250/32", StringComparison.Ordinal)),
                StringComparison.Ordinal);
            var ours = Assert.Single(blocks, b => b.Contains("src 10.41.0.0/24 dst 10.42.0.0/24", StringComparison.Ordinal)
                && b.Contains("dir out ", StringComparison.Ordinal));
            Assert.DoesNotContain($" index {next} ", ours, StringComparison.Ordinal);

            installer.Delete(sa);
            installer.Flush(dueOnly: false);

            Assert.Empty(installer.Owned);
            string left = _ns.Ip("xfrm", "policy");
            Assert.DoesNotContain("198.51.120.250", left, StringComparison.Ordinal);
            Assert.Contains("src 10.41.0.0/24 dst 10.42.0.0/24", left, StringComparison.Ordinal);
            Assert.Equal(1, PolicyCount());
        }

        _ns.Ip("xfrm", "policy", "del", "src", "10.41.0.0/24", "dst", "10.42.0.0/24", "dir", "out");
    }

    /// <summary>`ip -s xfrm policy` split into one block per policy (each starts with its "src" line).</summary>
    private List<string> PolicyBlocks()
    {
        var blocks = new List<string>();
        foreach (var line in _ns.Ip("-s", "xfrm", "policy").Split('\n'))
        {
            if (line.StartsWith("src ", StringComparison.Ordinal) || blocks.Count == 0)
            {
                blocks.Add("");
            }

            blocks[^1] += line + " \n";
        }

        return blocks;
    }

    private static string Prefix(in XfrmSelector s, bool source) => source
        ? $"{s.Source.ToIPAddress(AddressFamily.InterNetwork)}/{s.SourcePrefixLength}"
        : $"{s.Destination.ToIPAddress(AddressFamily.InterNetwork)}/{s.DestinationPrefixLength}";

    /// <summary>A child whose policies iproute2 added under indexes the installer drew, owned as an install would own it.</summary>
    private OwnedChildSa Adopted(XfrmSaInstaller installer, uint reqId, string localTs, string remoteTs, uint spiIn)
    {
        var owned = Owned(reqId, localTs, remoteTs, spiIn);
        var (o, n, f) = installer.DrawPolicyIndices(forward: true);
        AddPolicies(owned, o, n, f);
        installer.Adopt(owned, o, n, f);
        return owned;
    }

    private XfrmSaInstaller Open(ListLogger logger, XfrmSpiAllocation spis = XfrmSpiAllocation.Daemon, TimeSpan removalDelay = default)
    {
        var status = XfrmSaInstaller.TryOpen(
            new XfrmInstallerOptions
            {
                NetworkNamespacePath = _ns.Path, JournalPath = _journal, SpiAllocation = spis, RemovalDelay = removalDelay,
            },
            logger, null, out var installer);
        Assert.Equal(XfrmStatus.Success, status);
        return installer!;
    }

    private XfrmSocket OpenSocket()
    {
        Assert.Equal(XfrmStatus.Success, XfrmSocket.Open(_ns.Path, out var socket));
        return socket!;
    }

    private int PolicyCount() => _ns.Ip("xfrm", "policy").Split('\n').Count(l => l.StartsWith("src ", StringComparison.Ordinal));

    private static OwnedChildSa Owned(uint reqId, string localTs, string remoteTs, uint spiIn)
    {
        var local = TrafficSelector.Parse(localTs);
        var remote = TrafficSelector.Parse(remoteTs);
        return new OwnedChildSa(reqId, "gw", "net", AddressFamily.InterNetwork, XfrmProtocol.Esp, XfrmMode.Tunnel,
            IPAddress.Parse("192.0.2.1"), IPAddress.Parse("198.51.100.2"), spiIn, spiIn + 1,
            XfrmSelector.ForSubnets(AddressFamily.InterNetwork, XfrmAddress.FromIPAddress(local.Network!), (byte)local.PrefixLength,
                XfrmAddress.FromIPAddress(remote.Network!), (byte)remote.PrefixLength));
    }

    private void AddPolicies(OwnedChildSa owned, uint outIndex, uint inIndex, uint forwardIndex)
    {
        var s = owned.OutSelector;
        string l = $"{s.Source.ToIPAddress(AddressFamily.InterNetwork)}/{s.SourcePrefixLength}";
        string r = $"{s.Destination.ToIPAddress(AddressFamily.InterNetwork)}/{s.DestinationPrefixLength}";
        string reqId = owned.ReqId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string priority = XfrmChildSa.Priority(s).ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (src, dst, dir, index, from, to) in (ReadOnlySpan<(string, string, string, uint, string, string)>)[
            (l, r, "out", outIndex, "192.0.2.1", "198.51.100.2"), (r, l, "in", inIndex, "198.51.100.2", "192.0.2.1"),
            (r, l, "fwd", forwardIndex, "198.51.100.2", "192.0.2.1")])
        {
            _ns.Ip("xfrm", "policy", "add", "src", src, "dst", dst, "dir", dir, "priority", priority,
                "index", index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "tmpl", "src", from, "dst", to, "proto", "esp", "reqid", reqId, "mode", "tunnel");
        }
    }

    private void AddPolicies(OwnedChildSa owned)
    {
        var s = owned.OutSelector;
        string l = $"{s.Source.ToIPAddress(AddressFamily.InterNetwork)}/{s.SourcePrefixLength}";
        string r = $"{s.Destination.ToIPAddress(AddressFamily.InterNetwork)}/{s.DestinationPrefixLength}";
        string reqId = owned.ReqId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string priority = XfrmChildSa.Priority(s).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _ns.Ip("xfrm", "policy", "add", "src", l, "dst", r, "dir", "out", "priority", priority,
            "tmpl", "src", "192.0.2.1", "dst", "198.51.100.2", "proto", "esp", "reqid", reqId, "mode", "tunnel");
        _ns.Ip("xfrm", "policy", "add", "src", r, "dst", l, "dir", "in", "priority", priority,
            "tmpl", "src", "198.51.100.2", "dst", "192.0.2.1", "proto", "esp", "reqid", reqId, "mode", "tunnel");
        _ns.Ip("xfrm", "policy", "add", "src", r, "dst", l, "dir", "fwd", "priority", priority,
            "tmpl", "src", "198.51.100.2", "dst", "192.0.2.1", "proto", "esp", "reqid", reqId, "mode", "tunnel");
    }
}
