namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>A fact that needs root (network namespaces, CAP_NET_ADMIN) and iproute2; skipped with the reason otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "XFRM is Linux only.";
        }
        else if (Environment.UserName != "root" && !IsEffectiveRoot())
        {
            Skip = "Needs root (CI runs as root): creates network namespaces and installs XFRM policies.";
        }
        else if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            Skip = "Needs iproute2 (ip) to create namespaces and read the kernel's state back.";
        }
    }

    private static bool IsEffectiveRoot()
    {
        // /proc/self/status "Uid: real effective saved fs".
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 2 && parts[2] == "0";
            }
        }

        return false;
    }
}
