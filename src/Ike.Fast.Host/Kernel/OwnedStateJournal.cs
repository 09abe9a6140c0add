using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// A small text file listing the child SAs the installer currently owns in the kernel (one <see cref="OwnedChildSa"/>
/// line each, no keys), rewritten atomically (temp file + rename) on every install and delete. Kept in the runtime
/// directory (/run/ikefast, a tmpfs like the kernel state itself, gone at reboot): after a crash or SIGKILL the next
/// start removes exactly what is listed, never another daemon's state.
/// </summary>
public sealed class OwnedStateJournal(string path, ILogger logger)
{
    public string Path { get; } = path;

    /// <summary>The entries of the previous run (damaged lines are skipped with a warning).</summary>
    public List<OwnedChildSa> Load()
    {
        var entries = new List<OwnedChildSa>();
        if (!File.Exists(Path))
        {
            return entries;
        }

        foreach (var line in File.ReadLines(Path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (OwnedChildSa.TryParse(line, out var owned))
            {
                entries.Add(owned!);
            }
            else
            {
                logger.LogWarning("xfrm journal {Path}: unreadable line skipped: {Line}", Path, line);
            }
        }

        return entries;
    }

    public void Save(IEnumerable<OwnedChildSa> owned)
    {
        try
        {
            var directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var temp = Path + ".tmp";
            File.WriteAllLines(temp, ["# IkeFast XFRM state owned by this daemon (reqid ... connection child); do not edit",
                .. owned.Select(o => o.ToLine())]);
            File.Move(temp, Path, overwrite: true);
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
