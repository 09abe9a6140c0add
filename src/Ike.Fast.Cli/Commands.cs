using System.CommandLine;

namespace Ike.Fast.Cli;

/// <summary>The subcommands of <c>ikefast</c>; each lives in its own *Command.cs file.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return VersionCommand.Create();
        yield return InspectCommand.Create();
        yield return ServeCommand.Create();
        yield return StatusCommand.Create();
        yield return LoadTestCommand.Create();
        yield return ListSasCommand.Create();
        yield return InitiateCommand.Create();
        yield return TerminateCommand.Create();
        yield return ReloadCommand.Create();
        yield return StatsCommand.Create();
    }
}
