using System.CommandLine;
using Ike.Native;

namespace Ike.Fast.Cli;

/// <summary><c>ikefast version</c>: the build and whether the native library is loaded.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the IkeFast version and native library status.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"ikefast {typeof(VersionCommand).Assembly.GetName().Version}");
            Console.WriteLine(NativeLibraryInfo.IsAvailable
                ? $"native: libikefast_native ABI {NativeLibraryInfo.AbiVersion}"
                : "native: libikefast_native not loaded (portable paths only)");
            return 0;
        });
        return command;
    }
}
