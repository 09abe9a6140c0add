using SharpFuzz;

namespace Ike.Fast.Fuzz;

/// <summary>
/// Entry point. Without arguments: AFL++ out-of-process mode (afl-fuzz starts this process once and feeds inputs
/// through shared memory). <c>--libfuzzer</c>: libFuzzer mode (run under libfuzzer-dotnet).
/// <c>--replay PATH...</c>: run files or directories of inputs in-process and report any exception (to check a
/// corpus or reproduce a crash without a fuzzer). A leading <c>--capture</c> selects <see cref="CaptureFileTarget"/>
/// (inputs are capture files) instead of <see cref="IsakmpMessageTarget"/> (inputs are ISAKMP messages).
/// </summary>
internal static class Program
{
    private delegate void Target(ReadOnlySpan<byte> data);

    private static int Main(string[] args)
    {
        Target target = IsakmpMessageTarget.Run;
        if (args.Length > 0 && args[0] == "--capture")
        {
            target = CaptureFileTarget.Run;
            args = args[1..];
        }

        if (args.Length > 0 && args[0] == "--replay")
        {
            return Replay(target, args.Skip(1));
        }

        if (args.Length > 0 && args[0] == "--libfuzzer")
        {
            Fuzzer.LibFuzzer.Run(span => target(span));
            return 0;
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    private static int Replay(Target target, IEnumerable<string> paths)
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
                    target(File.ReadAllBytes(file));
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
