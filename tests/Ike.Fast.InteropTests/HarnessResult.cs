namespace Ike.Fast.InteropTests;

/// <summary>One harness function's outcome: exit code (its return code), data on stdout, progress on stderr.</summary>
internal sealed record HarnessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Ok => ExitCode == 0;

    /// <summary>Non-empty stdout lines.</summary>
    public IReadOnlyList<string> Lines =>
        StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
