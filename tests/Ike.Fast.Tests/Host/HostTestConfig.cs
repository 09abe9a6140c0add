using System.Net;
using System.Net.Sockets;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host;

/// <summary>Configurations for daemons on 127.0.0.x high ports (no root needed).</summary>
internal static class HostTestConfig
{
    private static readonly Lock s_portsLock = new();

    /// <summary>Every (address, port) handed out in this process: none is handed out twice.</summary>
    private static readonly HashSet<(IPAddress Address, int Port)> s_handedOut = [];

    /// <summary>A random 127.R.0.0/16 block per test process (R in 128-254), so parallel test runs rarely share one.</summary>
    private static readonly int s_loopbackBlock = 128 + System.Security.Cryptography.RandomNumberGenerator.GetInt32(127);

    private static int s_nextLoopback;

    /// <summary>
    /// A UDP port free right now on <paramref name="address"/> (the OS picks with a plain bind, which no existing socket
    /// may share, SO_REUSEPORT or not; the socket is closed again) and never handed out before in this process: two tests
    /// running in parallel cannot get the same one, so two daemons' SO_REUSEPORT groups cannot merge and share datagrams.
    /// </summary>
    public static int FreeUdpPort(IPAddress address)
    {
        while (true)
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            lock (s_portsLock)
            {
                if (s_handedOut.Add((address, port)))
                {
                    return port;
                }
            }
        }
    }

    /// <summary>
    /// A loopback address no other caller in this process gets (127.R.x.y, R random per process): a test that binds with
    /// SO_REUSEPORT (or lets the kernel pick port 0 with it, which may pick the port of another group of the same user)
    /// listens where no other test does.
    /// </summary>
    public static IPAddress UniqueLoopback()
    {
        var n = Interlocked.Increment(ref s_nextLoopback);
        return new IPAddress([127, (byte)s_loopbackBlock, (byte)(n / 250), (byte)(1 + (n % 250))]);
    }

    /// <summary>A unique loopback address (<see cref="UniqueLoopback"/>) and a free port on it.</summary>
    public static IPEndPoint UniqueLoopbackEndPoint()
    {
        var address = UniqueLoopback();
        return new IPEndPoint(address, FreeUdpPort(address));
    }

    /// <summary>
    /// One side of a PSK Main Mode pair: listens on <paramref name="local"/>, peer <paramref name="remote"/>,
    /// <paramref name="initiate"/> sets start_action=start on its child.
    /// </summary>
    public static IkeFastConfiguration Side(TempConfigDirectory dir, string name, IPEndPoint local, IPEndPoint remote,
        bool initiate, string localTs, string remoteTs, string socketPath, string? children = null, string connectionExtra = "",
        string? auth = null, string? secrets = null)
    {
        auth ??= """ "local": { "auth": "psk" }, "remote": { "auth": "psk" }, """;
        secrets ??= """ "ike-loop": { "secret": "ikefast-loopback-test-psk" } """;
        children ??= $$"""
            "net": {
              "local_ts": "{{localTs}}",
              "remote_ts": "{{remoteTs}}",
              "esp_proposals": "aes128-sha256",
              "start_action": "{{(initiate ? "start" : "none")}}"
            }
            """;
        var json = $$"""
            {
              "daemon": { "listen": [ "{{local}}" ], "control_socket": "{{socketPath}}" },
              "connections": {
                "loop": {
                  "local_addrs": "{{local.Address}}",
                  "remote_addrs": "{{remote.Address}}",
                  "remote_port": {{remote.Port}},
                  "proposals": "aes128-sha256-modp2048",
                  {{auth}}
                  "children": { {{children}} }
                  {{connectionExtra}}
                }
              },
              "secrets": { {{secrets}} }
            }
            """;
        return ConfigurationLoader.Load(dir.Write(name + ".json", json));
    }
}
