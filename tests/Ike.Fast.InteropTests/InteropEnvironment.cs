using System.Diagnostics;

namespace Ike.Fast.InteropTests;

/// <summary>
/// Where the harness, the CLI and the peers are, and whether the interop tests can run here. They need root
/// (network namespaces, mounts) and the peers that <c>tests/interop/install.sh</c> installs. With <c>CI=true</c> a
/// missing prerequisite is not a skip but a failure, so that CI cannot silently skip the suite.
/// </summary>
internal static class InteropEnvironment
{
    /// <summary>strongSwan's daemon and control tool (Debian paths, as in lib.sh).</summary>
    private static readonly string[] CharonFiles = ["/usr/lib/ipsec/charon", "/usr/sbin/swanctl"];

    /// <summary>Libreswan unpacked by install.sh into /opt/libreswan (lib.sh's IKEF_LIBRESWAN).</summary>
    private static readonly string[] PlutoFiles = ["/opt/libreswan/usr/libexec/ipsec/pluto", "/opt/libreswan/usr/libexec/ipsec/whack"];

    private static readonly Lazy<bool> Root = new(() => RunQuiet("id", "-u").Trim() == "0");

    /// <summary>The repository root: the first folder above the test assembly holding IkeFast.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>tests/interop/harness.sh.</summary>
    public static string HarnessScript => Path.Combine(RepoRoot, "tests", "interop", "harness.sh");

    /// <summary>True when the CI marker is set (CI must not skip).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The built CLI: src/Ike.Fast.Cli/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ikefast.dll of the same configuration and
    /// target framework as this test assembly (the project reference builds it first).
    /// </summary>
    public static string CliDll
    {
        get
        {
            // AppContext.BaseDirectory = .../tests/Ike.Fast.InteropTests/bin/<Configuration>/<tfm>/
            var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = tfmDir.Parent?.Name ?? "Release";
            var own = Path.Combine(RepoRoot, "src", "Ike.Fast.Cli", "bin", configuration, tfmDir.Name, "ikefast.dll");
            return File.Exists(own) ? own : Path.Combine(AppContext.BaseDirectory, "ikefast.dll");
        }
    }

    /// <summary>
    /// The dotnet host that runs the CLI: the SDK exports DOTNET_HOST_PATH to the processes it starts (so the same
    /// runtime runs the daemon even when no dotnet is on PATH), else whatever "dotnet" PATH finds.
    /// </summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Why the tests against <paramref name="peer"/> cannot run here, or null when they can.</summary>
    public static string? MissingPrerequisite(PeerKind peer)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "interop tests need Linux (network namespaces)";
        }

        if (!Root.Value)
        {
            return "interop tests need root (network namespaces); run as root after tests/interop/install.sh";
        }

        if (!File.Exists(HarnessScript))
        {
            return $"harness not found at {HarnessScript}";
        }

        foreach (var f in peer == PeerKind.Charon ? CharonFiles : PlutoFiles)
        {
            if (!File.Exists(f))
            {
                return $"{peer} is not installed ({f} missing): run tests/interop/install.sh as root";
            }
        }

        return null;
    }

    /// <summary>The skip reason for discovery: null when the tests must run (prerequisites met, or CI=true).</summary>
    public static string? SkipReason(PeerKind peer) => IsCi ? null : MissingPrerequisite(peer);

    private static string RunQuiet(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IkeFast.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
