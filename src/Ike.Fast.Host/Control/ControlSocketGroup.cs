using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Ike.Fast.Host.Control;

/// <summary>
/// Gives the control socket to <c>daemon.control_group</c> (with mode 0660 its members may then use it): the group is a
/// name from /etc/group or a numeric gid; the change is chown(2) with the owner left as is, which root may always do
/// and another user only for a group it belongs to.
/// </summary>
internal static partial class ControlSocketGroup
{
    private const string GroupFile = "/etc/group";

    /// <summary>The gid of <paramref name="group"/>, or null when it is neither a number nor a local group.</summary>
    public static int? Resolve(string group, string groupFile = GroupFile)
    {
        if (int.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric))
        {
            return numeric;
        }

        if (!File.Exists(groupFile))
        {
            return null;
        }

        // group(5): name:password:gid:members
        foreach (var line in File.ReadLines(groupFile))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                return gid;
            }
        }

        return null;
    }

    /// <summary>chown(path, -1, gid); throws <see cref="InvalidOperationException"/> naming the errno on failure.</summary>
    public static void Apply(string path, string group)
    {
        var gid = Resolve(group) ?? throw new InvalidOperationException(
            $"daemon.control_group '{group}': no such group in {GroupFile} (use a group name or a numeric gid)");
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        if (Chown(bytes, -1, gid) != 0)
        {
            throw new InvalidOperationException(
                $"cannot give the control socket {path} to group '{group}' ({gid}): errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Chown(byte[] path, int owner, int group);
}
