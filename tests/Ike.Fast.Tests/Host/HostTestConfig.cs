using System.Net;
using System.Net.Sockets;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Tests.Config;

namespace Ike.Fast.Tests.Host;

/// <summary>Configurations for daemons on 127.0.0.x high ports (no root needed).</summary>
internal static class HostTestConfig
{
    /// <summary>A UDP port free right now on <paramref name="address"/> (the OS picks; the socket is closed again).</summary>
    public static int FreeUdpPort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
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
