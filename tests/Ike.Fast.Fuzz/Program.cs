using SharpFuzz;

namespace Ike.Fast.Fuzz;

/// <summary>
/// Entry point. Without arguments: AFL++ out-of-process mode (afl-fuzz starts this process once and feeds inputs
/// through shared memory). <c>--libfuzzer</c>: libFuzzer mode (run under libfuzzer-dotnet).
/// <c>--replay PATH...</c>: run files or directories of inputs in-process and report any exception (to check a
/// corpus or reproduce a crash without a fuzzer).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--replay")
        {
            return Replay(args.Skip(1));
        }

        if (args.Length > 0 && args[0] == "--libfuzzer")
        {
            Fuzzer.LibFuzzer.Run(span => IsakmpMessageTarget.Run(span));
            return 0;
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            IsakmpMessageTarget.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    private static int Replay(IEnumerable<string> paths)
    {
        int failures = 0;
        int count = 0;
        foreach (string path in paths)
        {
            IEnumerable<string> files = Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [path];
            foreach (string file in files)
            {
                count++;
                try
                {
                    IsakmpMessageTarget.Run(File.ReadAllBytes(file));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    failures++;
                    Console.Error.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
                }
            }
        }

        Console.WriteLine($"{count} input(s), {failures} failure(s)");
        return failures == 0 ? 0 : 1;
    }
}
