using System.CommandLine;
using Ike.Fast.Diagnostics;
using Ike.Fast.Diagnostics.Decryption;
using Ike.Fast.Wire;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast inspect INPUT [--json] [--lenient] [--secrets FILE [--show-keys] [--wireshark-keys FILE]]</c>: shows the
/// ISAKMP messages in a pcap/pcapng file, in one hex datagram given on the command line, or (<c>-</c>) in hex
/// datagrams read from stdin one per line; with a secrets file (<see cref="SecretsFile"/>) encrypted messages are
/// decrypted and their hashes checked (<see cref="CaptureDecryptor"/>). The formatting lives in
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
        var secrets = new Option<string?>("--secrets")
        {
            Description = "JSON secrets file (psk/psk_hex or skeyid, shared_secret, cookies per Phase 1; see tests/data/vectors/README.md): decrypt encrypted messages and check their hashes.",
        };
        var showKeys = new Option<bool>("--show-keys")
        {
            Description = "With --secrets: also print the KEYMAT (encryption and integrity keys) of every Quick Mode SA. Prints secrets.",
        };
        var wiresharkKeys = new Option<string?>("--wireshark-keys")
        {
            Description = "With --secrets: write Wireshark's IKEv1 decryption table (ikev1_decryption_table) to this file.",
        };
        var command = new Command("inspect", "Decode and print ISAKMP messages from a capture or raw datagrams.")
        {
            input,
            json,
            lenient,
            secrets,
            showKeys,
            wiresharkKeys,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(input)!, parseResult.GetValue(json), Console.In, Console.Out, Console.Error,
            parseResult.GetValue(lenient), parseResult.GetValue(secrets), parseResult.GetValue(showKeys), parseResult.GetValue(wiresharkKeys)));
        return command;
    }

    /// <summary>Runs the command; exit code 0 when every message parsed, 1 when some were malformed, 2 on unusable input.</summary>
    internal static int Run(string input, bool json, TextReader stdin, TextWriter stdout, TextWriter stderr, bool lenient = false,
        string? secretsPath = null, bool showKeys = false, string? wiresharkKeysPath = null)
    {
        IsakmpReadOptions options = lenient ? IsakmpReadOptions.AllowTrailingBytes | IsakmpReadOptions.AllowUnknownPayloadTypes : IsakmpReadOptions.None;
        CaptureDecryptor? decryptor = null;
        if (secretsPath is not null)
        {
            if (!TryReadText(secretsPath, stderr, out string text))
            {
                return 2;
            }

            if (!SecretsFile.TryParse(text, out IReadOnlyList<Phase1Secrets> secrets, out string? error))
            {
                stderr.WriteLine($"ikefast inspect: {secretsPath}: {error}");
                return 2;
            }

            decryptor = new CaptureDecryptor(secrets) { DeriveKeymat = showKeys };
        }
        else if (showKeys || wiresharkKeysPath is not null)
        {
            stderr.WriteLine("ikefast inspect: --show-keys and --wireshark-keys need --secrets");
            return 2;
        }

        using (decryptor)
        {
            return Run(input, json, stdin, stdout, stderr, options, decryptor, wiresharkKeysPath);
        }
    }

    private static int Run(string input, bool json, TextReader stdin, TextWriter stdout, TextWriter stderr, IsakmpReadOptions options,
        CaptureDecryptor? decryptor, string? wiresharkKeysPath)
    {
        var inspector = new CaptureInspector(stdout, json, options) { Decryptor = decryptor };
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

        if (decryptor is not null)
        {
            string clear = decryptor.ClearHashesVerified > 0 ? $" (+{decryptor.ClearHashesVerified} Aggressive Mode HASH_R verified in the clear)" : string.Empty;
            stderr.WriteLine($"{decryptor.Decrypted} message(s) decrypted, {decryptor.HashFailures} failed hash check(s){clear}, keys for {decryptor.Phase1s.Count} Phase 1(s)");
            foreach (string problem in decryptor.Problems)
            {
                stderr.WriteLine($"ikefast inspect: not decrypted: {problem}");
            }

            if (wiresharkKeysPath is not null && !TryWriteWiresharkKeys(wiresharkKeysPath, decryptor, stderr))
            {
                return 2;
            }
        }

        if (inspector.Unreadable > 0 && inspector.Messages == 0)
        {
            return 2;
        }

        return inspector.Malformed > 0 || inspector.Unreadable > 0 ? 1 : 0;
    }

    private static bool TryReadText(string path, TextWriter stderr, out string text)
    {
        text = string.Empty;
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"ikefast inspect: cannot read {path}: {e.Message}");
            return false;
        }
    }

    private static bool TryWriteWiresharkKeys(string path, CaptureDecryptor decryptor, TextWriter stderr)
    {
        try
        {
            using var writer = new StreamWriter(path);
            WiresharkKeyTable.Write(writer, decryptor.Phase1s);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"ikefast inspect: cannot write {path}: {e.Message}");
            return false;
        }
    }

    private static bool LooksLikeHex(string text)
    {
        string t = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return t.Length > 0 && t.All(c => char.IsAsciiHexDigit(c) || char.IsWhiteSpace(c) || c == ':');
    }
}
