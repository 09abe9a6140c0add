using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// A small append-only text file listing the child SAs the installer owns in the kernel: <c>+ LINE</c> per installed
/// pair (<see cref="OwnedChildSa.ToLine"/>, no keys), <c>- SPI</c> per removed one (inbound SPI, hex). Appending keeps an
/// install O(1) however many children a concentrator holds; the file is compacted (rewritten with the live entries,
/// temp file + rename) when removals dominate. Kept in the runtime directory (/run/ikefast, a tmpfs like the kernel
/// state itself, gone at reboot): after a crash or SIGKILL the next start removes exactly what is listed, never another
/// daemon's state. Loop thread only.
/// </summary>
public sealed class OwnedStateJournal(string path, ILogger logger)
{
    private const string Header = "# IkeFast XFRM state owned by this daemon: + reqid family proto mode local remote spi-in spi-out selector names; - spi-in";

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

    public void Added(OwnedChildSa owned) => Append("+ " + owned.ToLine());

    public void Removed(uint inboundSpi) => Append("- " + inboundSpi.ToString("x8", CultureInfo.InvariantCulture));

    /// <summary>Replaces the file with exactly <paramref name="owned"/>.</summary>
    public void Rewrite(IEnumerable<OwnedChildSa> owned)
    {
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
    public void Delete() => Guard(() => File.Delete(Path));

    private void Append(string line)
    {
        Guard(() =>
        {
            File.AppendAllText(Path, line + "\n");
            Lines++;
        });
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
