using System.Diagnostics;
using System.Text;

namespace Ike.Fast.InteropTests;

/// <summary>
/// Runs tests/interop/harness.sh, one function per process (the harness's contract for non-bash callers):
/// <c>IKEF_RUN</c> is the only state carried between calls.
/// </summary>
internal sealed class Harness
{
    /// <summary>Longest any single harness call may take (peer_initiate waits up to IKEF_TIMEOUT itself).</summary>
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(40);

    public Harness(string? run) => Run = run;

    /// <summary>The run folder (<c>IKEF_RUN</c>), null before topo_up.</summary>
    public string? Run { get; set; }

    /// <summary>Extra environment for every call (IKEF_PREFIX, IKEF_TIMEOUT, ...).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public HarnessResult Call(params string[] args) => Exec(InteropEnvironment.HarnessScript, args);

    /// <summary>A harness call that must succeed; throws with its output otherwise.</summary>
    public HarnessResult Must(params string[] args)
    {
        var r = Call(args);
        if (!r.Ok)
        {
            throw new InvalidOperationException(
                $"harness.sh {string.Join(' ', args)} failed with exit code {r.ExitCode}\nstdout:\n{r.StandardOutput}\nstderr:\n{r.StandardError}");
        }

        return r;
    }

    /// <summary>Any command (with the same environment).</summary>
    public HarnessResult Exec(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (Run is not null)
        {
            psi.Environment["IKEF_RUN"] = Run;
        }

        foreach (var (k, v) in Environment)
        {
            psi.Environment[k] = v;
        }

        using var p = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(CallLimit))
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            return new HarnessResult(124, stdout.ToString(), stderr + $"\n(killed after {CallLimit.TotalSeconds} s)");
        }

        // The argument-less WaitForExit drains the asynchronous readers.
        p.WaitForExit();
        lock (stdout)
        {
            lock (stderr)
            {
                return new HarnessResult(p.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }
}
