using System.Diagnostics;
using Ike.Fast.Host.Control;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Control;

/// <summary><c>daemon.control_group</c>: the control socket's group (mode 0660 lets its members in).</summary>
public class ControlSocketGroupTests
{
    [Fact]
    public void ResolvesNamesFromTheGroupFileAndNumbers()
    {
        using var dir = new TempConfigDirectory();
        var file = dir.Write("group", "root:x:0:\nikefast:x:997:alice,bob\n");
        Assert.Equal(997, ControlSocketGroup.Resolve("ikefast", file));
        Assert.Equal(0, ControlSocketGroup.Resolve("root", file));
        Assert.Equal(1234, ControlSocketGroup.Resolve("1234", file));
        Assert.Null(ControlSocketGroup.Resolve("nobody-here", file));
    }

    [Fact]
    public void ConfigurationReadsControlGroup()
    {
        using var dir = new TempConfigDirectory();
        using var configuration = dir.Load(ConfigText.Psk(top: """, "daemon": { "control_group": "ikefast" }"""));
        Assert.Equal("ikefast", configuration.Daemon.ControlGroup);
    }

    [Fact]
    public async Task UnknownGroupFailsTheStartAndLeavesNoSocket()
    {
        var path = TestSocketPath.Create();
        await using var server = new ControlServer(path, new SaRegistry(TimeProvider.System), () => [], NullLogger.Instance,
            group: "no-such-group-ikefast");
        var e = Assert.Throws<InvalidOperationException>(server.Start);
        Assert.Contains("no such group", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task SocketIsGivenToTheGroup()
    {
        // chown to a group other than one's own needs root (CI and the dev container run tests as root).
        if (OperatingSystem.IsWindows() || Environment.UserName != "root" || ControlSocketGroup.Resolve("nogroup") is not { } gid)
        {
            return;
        }

        // A folder the daemon creates gets the group too (0750), so members can reach the socket.
        var directory = Path.Combine(Path.GetTempPath(), $"ikef-{Guid.NewGuid():N}"[..13]);
        var path = Path.Combine(directory, "c.sock");
        try
        {
            await using (var server = new ControlServer(path, new SaRegistry(TimeProvider.System), () => [], NullLogger.Instance,
                             group: "nogroup"))
            {
                server.Start();
                Assert.Equal($"{gid} 660", await Stat(path));
                Assert.Equal($"{gid} 750", await Stat(directory));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> Stat(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%g %a", path]) { RedirectStandardOutput = true })!;
        var output = (await stat.StandardOutput.ReadToEndAsync()).Trim();
        await stat.WaitForExitAsync();
        return output;
    }
}
