using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// A small append-only text file listing the child SAs the installer owns in the kernel: <c>+ LINE</c> per installed
/// pair (<see cref="OwnedChildSa.ToLine"/>, no keys), <c>- SPI</c> per removed one (inbound SPI, hex). Appending keeps an
/// install O(1) however many children a concentrator holds; the file is compacted (rewritten with the live entries,
/// temp file + rename) when removals dominate. Kept in the runtime directory (/run/ikefast, a tmpfs like the kernel
/// state itself, gone at reboot): after a crash or SIGKILL the next start removes exactly what is listed, never another
/// daemon's state. One caller at a time (the installer's netlink lock).
/// <para>
/// The file stays open between appends and each line goes out in one pwrite(2): opening, locking, writing and closing
/// it per line (File.AppendAllText) cost about seven system calls, twice per handshake under churn (an install and a
/// delete), some 10 us of the responder's CPU per handshake in bench/race.sh. A line written by pwrite is in the page
/// cache when the call returns, so a crash (even SIGKILL) right after an install still leaves it for the next start.
/// </para>
/// </summary>
public sealed class OwnedStateJournal(string path, ILogger logger) : IDisposable
{
    private const string Header = "# IkeFast XFRM state owned by this daemon: + reqid family proto mode local remote spi-in spi-out selector names; - spi-in";

    /// <summary>Longest line: the + line's fixed fields and two 40-character IPv6 addresses, selector and names.</summary>
    private const int LineBuffer = 1024;

    private readonly byte[] _line = new byte[LineBuffer];
    private SafeFileHandle? _handle;
    private long _length;

    public string Path { get; } = path;

    /// <summary>Lines written since the last rewrite (the installer compacts when this outgrows the live entries).</summary>
    public int Lines { get; private set; }

    /// <summary>The live entries of the previous run (damaged lines are skipped with a warning).</summary>
    public List<OwnedChildSa> Load()
    {
        var live = new Dictionary<uint, OwnedChildSa>();
        if (!File.Exists(Path))
        {
            return [];
        }

        foreach (var line in File.ReadLines(Path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("+ ", StringComparison.Ordinal) && OwnedChildSa.TryParse(line[2..], out var owned))
            {
                live[owned!.InboundSpi] = owned;
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal)
                     && uint.TryParse(line.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var spi))
            {
                live.Remove(spi);
            }
            else
            {
                logger.LogWarning("xfrm journal {Path}: unreadable line skipped: {Line}", Path, line);
            }
        }

        return [.. live.Values];
    }

    public void Added(OwnedChildSa owned) => Append('+', owned.ToLine());

    public void Removed(uint inboundSpi) => Append('-', inboundSpi.ToString("x8", CultureInfo.InvariantCulture));

    /// <summary>Replaces the file with exactly <paramref name="owned"/>.</summary>
    public void Rewrite(IEnumerable<OwnedChildSa> owned)
    {
        Close();
        Guard(() =>
        {
            CreateDirectory();
            var temp = Path + ".tmp";
            var lines = owned.Select(o => "+ " + o.ToLine()).ToList();
            File.WriteAllLines(temp, [Header, .. lines]);
            File.Move(temp, Path, overwrite: true);
            Lines = lines.Count;
        });
    }

    /// <summary>Removes the file (a clean stop: nothing owned).</summary>
    public void Delete()
    {
        Close();
        Guard(() => File.Delete(Path));
    }

    /// <summary>Closes the file (it is reopened by the next append).</summary>
    public void Dispose() => Close();

    private void Append(char kind, string text)
    {
        try
        {
            if (_handle is null)
            {
                CreateDirectory();
                _handle = File.OpenHandle(Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                _length = RandomAccess.GetLength(_handle);
            }

            // "+ text\n" or "- text\n" in one write (a line longer than the buffer, which ToLine never makes, gets its own).
            var size = 2 + Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
            Span<byte> bytes = size <= _line.Length ? _line : new byte[size];
            bytes[0] = (byte)kind;
            bytes[1] = (byte)' ';
            var n = 2 + Encoding.UTF8.GetBytes(text, bytes[2..]);
            bytes[n++] = (byte)'\n';
            RandomAccess.Write(_handle, bytes[..n], _length);
            _length += n;
            Lines++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The kernel state is right; only crash recovery loses precision. Not worth stopping the daemon for.
            logger.LogWarning("xfrm journal {Path} not written: {Error}", Path, e.Message);
            Close();
        }
    }

    private void Close()
    {
        _handle?.Dispose();
        _handle = null;
    }

    private void CreateDirectory()
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    private void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (IOException e)
        {
            // The kernel state is right; only crash recovery loses precision. Not worth stopping the daemon for.
            logger.LogWarning("xfrm journal {Path} not written: {Error}", Path, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            logger.LogWarning("xfrm journal {Path} not written: {Error}", Path, e.Message);
        }
    }
}
