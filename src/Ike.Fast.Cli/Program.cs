using System.CommandLine;

namespace Ike.Fast.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("IkeFast: a fast IKEv1 (ISAKMP/Oakley) key-management engine and VPN concentrator.");
        foreach (var command in Commands.All())
        {
            root.Subcommands.Add(command);
        }

        return root.Parse(args).Invoke();
    }
}
