using System.Diagnostics;

namespace Ike.Fast.Tests.Bench;

/// <summary>
/// bench/floor/floor.c (the kernel's floor per handshake, issue #8) is a C tool that bench/floor/floor.sh builds with cc.
/// Its testable parts run here: its self-test (the pcap reader and message classifier on built-in captures, the
/// handshake's script, the XFRM messages it queues through IkeFast's builders) and `floor sizes` on a real capture,
/// whose UDP payload sizes Wireshark's dissection beside it (the .txt) states.
/// </summary>
public class FloorToolTests
{
    private static readonly Lazy<string> Tool = new(Build);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IkeFast.sln")) && File.Exists(Path.Combine(dir.FullName, "bench", "floor", "floor.c")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("bench/floor/floor.c not found above the test output folder");
    }

    private static string Build()
    {
        string root = RepositoryRoot();
        string output = Path.Combine(Path.GetTempPath(), $"ikefast-floor-{Environment.ProcessId}");
        Directory.CreateDirectory(output);
        string tool = Path.Combine(output, "floor");
        var (code, text) = Run("cc", "-O1", "-Wall", "-Wextra", "-Werror", "-I" + Path.Combine(root, "native", "include"), "-o", tool,
            Path.Combine(root, "bench", "floor", "floor.c"), Path.Combine(root, "native", "src", "xfrm.c"),
            Path.Combine(root, "native", "src", "xfrm_socket.c"));
        Assert.True(code == 0, "cc failed: " + text);
        return tool;
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"{file} did not finish");
        return (process.ExitCode, output + error.Result);
    }

    [Fact]
    public void SelfTest_Passes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the tool is Linux-only (recvmmsg, NETLINK_XFRM), like the race
        }

        var (code, output) = Run(Tool.Value, "selftest");
        Assert.True(code == 0, output);
        Assert.Contains("1 passed, 0 failed", output);
    }

    [Fact]
    public void Sizes_OfACapturedHandshake_AreWiresharks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // strongSwan <-> strongSwan, MM PSK MODP-2048 + QM, then both Deletes: Wireshark's "UDP payload (N bytes)" lines in
        // mm-psk-aes128-sha256-modp2048__sw-sw.txt, in order MM1..MM6, QM1..QM3, the two Informationals.
        string capture = Path.Combine(AppContext.BaseDirectory, "data", "captures", "mm-psk-aes128-sha256-modp2048__sw-sw.pcap");
        var (code, output) = Run(Tool.Value, "sizes", capture);
        Assert.True(code == 0, output);
        Assert.Equal("mm1=180 mm2=160 mm3=396 mm4=396 mm5=108 mm6=92 qm1=188 qm2=188 qm3=76 del1=92 del2=108", output.Trim());
    }

    [Fact]
    public void Sizes_OfSomethingElse_Fail()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string notPcap = Path.Combine(AppContext.BaseDirectory, "data", "captures", "mm-psk-aes128-sha256-modp2048__sw-sw.txt");
        var (code, _) = Run(Tool.Value, "sizes", notPcap);
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void SizesTable_HasEveryRaceCase()
    {
        // floor.sh reads its datagram sizes from bench/floor/sizes.tsv: one row per race case, 11 sizes each.
        string[] rows = File.ReadAllLines(Path.Combine(RepositoryRoot(), "bench", "floor", "sizes.tsv"))
            .Where(line => line.Length > 0 && !line.StartsWith('#')).ToArray();
        Assert.Equal("case\tmm1\tmm2\tmm3\tmm4\tmm5\tmm6\tqm1\tqm2\tqm3\tdel1\tdel2", rows[0]);
        foreach (string name in new[] { "mm-psk-14", "mm-psk-19", "mm-psk-31" })
        {
            string[] fields = Assert.Single(rows, row => row.StartsWith(name + "\t", StringComparison.Ordinal)).Split('\t');
            Assert.Equal(12, fields.Length);
            Assert.All(fields.Skip(1), f => Assert.InRange(int.Parse(f, System.Globalization.CultureInfo.InvariantCulture), 28, 2048));
        }
    }
}
