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
/// <para>
/// A removal line is not written on its own: it waits in memory and goes out in the same pwrite as the next addition
/// (or once <see cref="PendingRemovalLimit"/> removals wait), one system call per handshake under churn instead of two
/// (about 2.8 us each in bench/race.sh). Losing waiting removals in a crash costs nothing: the next start deletes
/// those pairs again and the kernel answers "not found", which the installer takes as done. The order of the file is
/// kept (the removals are written before the addition that followed them), so an SPI that comes back later is read
/// as live.
/// </para>
/// </summary>
public sealed class OwnedStateJournal(string path, ILogger logger) : IDisposable
{
    private const string Header = "# IkeFast XFRM state owned by this daemon: + reqid family proto mode local remote spi-in spi-out selector names; - spi-in";

    /// <summary>Longest line: the + line's fixed fields and two 40-character IPv6 addresses, selector and names.</summary>
    private const int LineBuffer = 1024;

    /// <summary>Removal lines held back at most (each "- xxxxxxxx\n", 11 bytes).</summary>
    internal const int PendingRemovalLimit = 32;

    private const int RemovalLineLength = 11;

    private readonly byte[] _line = new byte[LineBuffer + (PendingRemovalLimit * RemovalLineLength)];
    private int _pendingRemovals;
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

    /// <summary>Records a removal; written with the next addition (see the class remarks), or now when enough wait.</summary>
    public void Removed(uint inboundSpi)
    {
        var at = _pendingRemovals * RemovalLineLength;
        _line[at] = (byte)'-';
        _line[at + 1] = (byte)' ';
        inboundSpi.TryFormat(_line.AsSpan(at + 2, 8), out _, "x8", CultureInfo.InvariantCulture);
        _line[at + 10] = (byte)'\n';
        if (++_pendingRemovals == PendingRemovalLimit)
        {
            WritePending();
        }
    }

    /// <summary>Removal lines recorded but not yet in the file (tests).</summary>
    internal int PendingRemovals => _pendingRemovals;

    /// <summary>Writes the removal lines still held back (a caller about to read the file, tests).</summary>
    public void WritePending()
    {
        if (_pendingRemovals > 0)
        {
            Write(_line.AsSpan(0, _pendingRemovals * RemovalLineLength), _pendingRemovals);
        }
    }

    /// <summary>Replaces the file with exactly <paramref name="owned"/>.</summary>
    public void Rewrite(IEnumerable<OwnedChildSa> owned)
    {
        // The new file lists exactly the live entries: held-back removals are in it already (by their absence).
        _pendingRemovals = 0;
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
        _pendingRemovals = 0;
        Close();
        Guard(() => File.Delete(Path));
    }

    /// <summary>Writes what is held back and closes the file (it is reopened by the next append).</summary>
    public void Dispose()
    {
        WritePending();
        Close();
    }

    private void Append(char kind, string text)
    {
        // The held-back removal lines, then "+ text\n", in one write (a line longer than the buffer, which ToLine never
        // makes, gets a buffer of its own).
        var pending = _pendingRemovals * RemovalLineLength;
        var size = pending + 2 + Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        Span<byte> bytes = size <= _line.Length ? _line : new byte[size];
        if (bytes.Length != _line.Length)
        {
            _line.AsSpan(0, pending).CopyTo(bytes);
        }

        var n = pending;
        bytes[n++] = (byte)kind;
        bytes[n++] = (byte)' ';
        n += Encoding.UTF8.GetBytes(text, bytes[n..]);
        bytes[n++] = (byte)'\n';
        Write(bytes[..n], _pendingRemovals + 1);
    }

    private void Write(ReadOnlySpan<byte> bytes, int lines)
    {
        _pendingRemovals = 0;
        try
        {
            if (_handle is null)
            {
                CreateDirectory();
                _handle = File.OpenHandle(Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                _length = RandomAccess.GetLength(_handle);
            }

            RandomAccess.Write(_handle, bytes, _length);
            _length += bytes.Length;
            Lines += lines;
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
