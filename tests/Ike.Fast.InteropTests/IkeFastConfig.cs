using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ike.Fast.InteropTests;

/// <summary>
/// Writes the <c>ikefast serve</c> configuration (swanctl-like JSON) for side a that matches the harness's peer
/// configuration of a case: 192.0.2.1 &lt;=&gt; 192.0.2.2, 198.51.100.0/24 &lt;=&gt; 203.0.113.0/24 (child k &gt;= 2:
/// 198.18.k.0/24 &lt;=&gt; 198.19.k.0/24), the harness's PSK, or the run's PKI for RSA.
/// </summary>
internal static class IkeFastConfig
{
    public const string LocalAddress = "192.0.2.1";
    public const string RemoteAddress = "192.0.2.2";
    public const string DefaultPsk = "ikefast-interop-psk-0123456789";

    public static string Write(InteropCase c, string runDirectory, string controlSocket)
    {
        var children = new JsonObject();
        for (var k = 1; k <= c.Children; k++)
        {
            children[InteropCase.ChildName(k)] = new JsonObject
            {
                ["local_ts"] = new JsonArray(k == 1 ? "198.51.100.0/24" : $"198.18.{k}.0/24"),
                ["remote_ts"] = new JsonArray(k == 1 ? "203.0.113.0/24" : $"198.19.{k}.0/24"),
                ["esp_proposals"] = new JsonArray(c.Esp),
                ["mode"] = "tunnel",
                // The initiator side starts every child at start-up; the responder waits for the peer.
                ["start_action"] = c.IkeFastInitiates ? "start" : "none",
            };
        }

        var connection = new JsonObject
        {
            ["version"] = 1,
            ["local_addrs"] = new JsonArray(LocalAddress),
            ["remote_addrs"] = new JsonArray(RemoteAddress),
            ["proposals"] = new JsonArray(c.Ike),
            ["children"] = children,
        };
        if (c.Mode == "aggressive")
        {
            connection["aggressive"] = true;
        }

        var secrets = new JsonObject();
        if (c.Auth == "rsa")
        {
            var pki = Path.Combine(runDirectory, "pki");
            connection["local"] = new JsonObject
            {
                ["auth"] = "pubkey",
                ["certs"] = new JsonArray(Path.Combine(pki, "a.crt")),
            };
            connection["remote"] = new JsonObject
            {
                ["auth"] = "pubkey",
                ["id"] = "C=XX, O=IkeFast Interop, CN=b.ikefast.test",
                ["cacerts"] = new JsonArray(Path.Combine(pki, "ca.crt")),
            };
            secrets["private-a"] = new JsonObject { ["file"] = Path.Combine(pki, "a.key") };
        }
        else
        {
            connection["local"] = new JsonObject { ["auth"] = "psk", ["id"] = LocalAddress };
            connection["remote"] = new JsonObject { ["auth"] = "psk", ["id"] = RemoteAddress };
            secrets["ike-" + InteropCase.Connection] = new JsonObject { ["id"] = RemoteAddress, ["secret"] = c.IkeFastPsk ?? DefaultPsk };
        }

        var root = new JsonObject
        {
            ["daemon"] = new JsonObject
            {
                ["listen"] = new JsonArray($"{LocalAddress}:500"),
                ["control_socket"] = controlSocket,
                ["installer"] = "xfrm",
            },
            ["connections"] = new JsonObject { [InteropCase.Connection] = connection },
            ["secrets"] = secrets,
        };
        var path = Path.Combine(runDirectory, "a", "ikefast.json");
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
