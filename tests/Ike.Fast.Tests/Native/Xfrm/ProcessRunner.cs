using System.Diagnostics;

namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>Runs a tool (ip, gcc) and returns its exit code and output.</summary>
internal static class ProcessRunner
{
    internal static (int ExitCode, string StdOut, string StdErr) Run(string file, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish.");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
