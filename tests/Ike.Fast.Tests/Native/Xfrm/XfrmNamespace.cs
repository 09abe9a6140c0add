using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ike.Fast.Tests.Native.Xfrm;

/// <summary>
/// A throw-away network namespace (ip netns add ikef-xfrm-RANDOM) per test class, deleted on dispose, so tests
/// install real XFRM state without touching the host's. Created lazily: a skipped (non-root) class never runs ip.
/// </summary>
public sealed partial class XfrmNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly Lazy<string> _name;

    public XfrmNamespace()
    {
        _name = new Lazy<string>(Create);
    }

    public string Name => _name.Value;

    /// <summary>The path XfrmSocket.Open takes.</summary>
    public string Path => "/run/netns/" + Name;

    /// <summary>Runs `ip -n NAME args` and returns stdout; fails the test on a non-zero exit.</summary>
    public string Ip(params string[] args)
    {
        (int exitCode, string stdout, string stderr) = ProcessRunner.Run("ip", ["-n", Name, .. args]);
        Assert.True(exitCode == 0, $"ip -n {Name} {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }

    /// <summary>Creates a socket inside the namespace (sockets keep the namespace they were created in): on a
    /// throw-away thread that joins the namespace, so no test-runner thread ever changes namespace.</summary>
    public Socket CreateSocket(AddressFamily family, SocketType type, ProtocolType protocol) =>
        Run(() => new Socket(family, type, protocol));

    /// <summary>Runs <paramref name="action"/> on a throw-away thread that joined the namespace (what it creates, such as
    /// sockets, stays in the namespace) and returns its result.</summary>
    public T Run<T>(Func<T> action)
    {
        T? result = default;
        Exception? failure = null;
        string path = Path;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(path);
                if (SetNs((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("Could not run in the namespace.", failure);
        }

        return result!;
    }

    public void Dispose()
    {
        if (_name.IsValueCreated)
        {
            ProcessRunner.Run("ip", ["netns", "del", _name.Value]);
        }
    }

    private static string Create()
    {
        string name = "ikef-xfrm-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        (int exitCode, _, string stderr) = ProcessRunner.Run("ip", ["netns", "add", name]);
        Assert.True(exitCode == 0, "ip netns add failed: " + stderr);
        // lo up and XFRM enabled on it (disable_xfrm defaults to 1 on lo): loopback traffic then hits our policies.
        ProcessRunner.Run("ip", ["-n", name, "link", "set", "lo", "up"]);
        ProcessRunner.Run("ip", ["netns", "exec", name, "sysctl", "-qw", "net.ipv4.conf.lo.disable_xfrm=0",
            "net.ipv4.conf.all.disable_xfrm=0", "net.core.xfrm_acq_expires=1"]);
        return name;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
