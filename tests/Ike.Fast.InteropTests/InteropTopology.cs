using System.Text.RegularExpressions;

namespace Ike.Fast.InteropTests;

/// <summary>
/// Class fixture: the two namespaces and the veth pair (harness <c>topo_up</c>), brought up once per test class and
/// reused by every row; daemons are started and stopped per row. Namespace names are unique per run
/// (<c>ikefit&lt;pid&gt;&lt;letter&gt;-a/-b</c>); namespaces left by earlier runs whose process is gone are deleted
/// first (with whatever still runs in them). <see cref="Dispose"/> runs <c>topo_down</c> even after failures.
/// </summary>
public abstract partial class InteropTopology : IDisposable
{
    /// <summary>Every namespace of this suite starts with this.</summary>
    internal const string NamespacePrefix = "ikefit";

    private readonly string? _failure;
    private bool _disposed;

    protected InteropTopology(PeerKind peer, char letter)
    {
        Peer = peer;
        Prefix = $"{NamespacePrefix}{Environment.ProcessId}{letter}";
        Harness = new Harness(null);
        Harness.Environment["IKEF_PREFIX"] = Prefix;
        Harness.Environment["IKEF_TIMEOUT"] = "10";
        if (InteropEnvironment.MissingPrerequisite(peer) is { } missing)
        {
            // Only reached with CI=true (InteropTheory skips otherwise): the rows fail with this reason.
            _failure = missing;
            return;
        }

        RemoveStaleNamespaces();
        var up = Harness.Call("topo_up");
        if (!up.Ok)
        {
            _failure = $"topo_up failed ({up.ExitCode}): {up.StandardError}";
            return;
        }

        foreach (var line in up.Lines)
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                Facts[line[..eq]] = line[(eq + 1)..];
            }
        }

        Harness.Run = Facts.GetValueOrDefault("IKEF_RUN");
        if (Harness.Run is null)
        {
            _failure = "topo_up printed no IKEF_RUN";
        }
    }

    public PeerKind Peer { get; }

    /// <summary>IKEF_PREFIX of this class's run.</summary>
    public string Prefix { get; }

    internal Harness Harness { get; }

    /// <summary>topo_env's facts (IKEF_RUN, IKEF_NS_A, addresses, default PSK).</summary>
    public Dictionary<string, string> Facts { get; } = new(StringComparer.Ordinal);

    public string RunDirectory => Harness.Run ?? throw new InvalidOperationException(_failure);

    /// <summary>Throws (fails the row) when the topology could not be brought up.</summary>
    public void EnsureUp()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException($"interop topology unavailable: {_failure}");
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        if (Harness.Run is not null)
        {
            // IKEF_KEEP=0: the logs of failed rows are already in the test output.
            Harness.Environment["IKEF_KEEP"] = "0";
            Harness.Call("topo_down");
        }
    }

    /// <summary>Deletes <c>ikefit&lt;pid&gt;X-a/-b</c> namespaces whose creating test process no longer runs.</summary>
    private void RemoveStaleNamespaces()
    {
        var list = Harness.Exec("ip", ["netns", "list"]);
        foreach (var line in list.Lines)
        {
            var m = StaleNamespace().Match(line);
            if (!m.Success || !int.TryParse(m.Groups[2].Value, out var pid) || pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            var ns = m.Groups[1].Value;
            // Stop what still runs there (a stale daemon would hold port 500 in a reused name), then the namespace.
            foreach (var p in Harness.Exec("ip", ["netns", "pids", ns]).Lines)
            {
                Harness.Exec("kill", ["-KILL", p]);
            }

            Harness.Exec("ip", ["netns", "del", ns]);
        }

        // Run folders (/tmp/ikefit<pid>X.XXXXXX, kept by topo_down only when a run was killed) of dead runs.
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), NamespacePrefix + "*"))
        {
            var m = StaleRun().Match(Path.GetFileName(dir));
            if (m.Success && int.TryParse(m.Groups[1].Value, out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort: a leftover folder is harmless.
                }
            }
        }
    }

    [GeneratedRegex(@"^ikefit(\d+)[a-z]\.")]
    private static partial Regex StaleRun();

    [GeneratedRegex(@"^(ikefit(\d+)[a-z]-[ab])\b")]
    private static partial Regex StaleNamespace();
}
