using System.CommandLine;
using Ike.Fast.Diagnostics;
using Ike.Fast.Wire;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast inspect INPUT [--json] [--lenient]</c>: shows the ISAKMP messages in a pcap/pcapng file, in one hex datagram
/// given on the command line, or (<c>-</c>) in hex datagrams read from stdin one per line. The formatting lives in
/// <see cref="CaptureInspector"/>; this class only parses options and does I/O.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input")
        {
            Description = "A .pcap/.pcapng file, a hex-encoded ISAKMP datagram, or - to read hex datagrams (one per line) from stdin.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Write one JSON object per ISAKMP message, one per line.",
        };
        var lenient = new Option<bool>("--lenient")
        {
            Description = "Show bytes after the header's length and payloads of unknown types instead of stopping at them (strict RFC 2408 by default).",
        };
        var command = new Command("inspect", "Decode and print ISAKMP messages from a capture or raw datagrams.")
        {
            input,
            json,
            lenient,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(input)!, parseResult.GetValue(json), Console.In, Console.Out, Console.Error,
            parseResult.GetValue(lenient)));
        return command;
    }

    /// <summary>Runs the command; exit code 0 when every message parsed, 1 when some were malformed, 2 on unusable input.</summary>
    internal static int Run(string input, bool json, TextReader stdin, TextWriter stdout, TextWriter stderr, bool lenient = false)
    {
        IsakmpReadOptions options = lenient ? IsakmpReadOptions.AllowTrailingBytes | IsakmpReadOptions.AllowUnknownPayloadTypes : IsakmpReadOptions.None;
        var inspector = new CaptureInspector(stdout, json, options);
        if (input == "-")
        {
            int line = 0;
            while (stdin.ReadLine() is string text)
            {
                line++;
                if (text.Trim().Length == 0 || text.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                inspector.InspectHex(text, line);
            }
        }
        else if (File.Exists(input))
        {
            byte[] file;
            try
            {
                file = File.ReadAllBytes(input);
            }
            catch (IOException e)
            {
                stderr.WriteLine($"ikefast inspect: cannot read {input}: {e.Message}");
                return 2;
            }
            catch (UnauthorizedAccessException e)
            {
                stderr.WriteLine($"ikefast inspect: cannot read {input}: {e.Message}");
                return 2;
            }

            inspector.InspectCapture(file);
        }
        else if (LooksLikeHex(input))
        {
            inspector.InspectHex(input, 1);
        }
        else
        {
            stderr.WriteLine($"ikefast inspect: {input}: no such file, and not a hex string");
            return 2;
        }

        stdout.Flush();
        if (!json)
        {
            string reassembled = inspector.Reassembled > 0 ? $" (+{inspector.Reassembled} reassembled from fragments)" : string.Empty;
            stderr.WriteLine($"{inspector.Messages} ISAKMP message(s){reassembled}, {inspector.Malformed} malformed, {inspector.OtherDatagrams} other datagram(s)");
        }

        if (inspector.Unreadable > 0 && inspector.Messages == 0)
        {
            return 2;
        }

        return inspector.Malformed > 0 || inspector.Unreadable > 0 ? 1 : 0;
    }

    private static bool LooksLikeHex(string text)
    {
        string t = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return t.Length > 0 && t.All(c => char.IsAsciiHexDigit(c) || char.IsWhiteSpace(c) || c == ':');
    }
}
