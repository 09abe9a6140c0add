namespace Ike.Fast.Tests.Config;

/// <summary>Configuration snippets for the tests: a valid PSK connection and ways to vary it.</summary>
internal static class ConfigText
{
    /// <summary>A valid PSK Main Mode initiator; <paramref name="connection"/>, <paramref name="child"/> and
    /// <paramref name="top"/> are spliced in as extra JSON members.</summary>
    public static string Psk(string connection = "", string child = "", string top = "", string local = "", string remote = "") => $$"""
        // comment lines are allowed
        {
          "connections": {
            "rw": {
              "version": 1,
              "local_addrs": [ "192.0.2.1" ],
              "remote_addrs": [ "192.0.2.2" ],
              "proposals": [ "aes128-sha256-modp2048" ],
              "local": { "auth": "psk", "id": "192.0.2.1" {{local}} },
              "remote": { "auth": "psk", "id": "192.0.2.2" {{remote}} },
              "children": {
                "net": {
                  "local_ts": [ "198.51.100.0/24" ],
                  "remote_ts": [ "203.0.113.0/24" ],
                  "esp_proposals": [ "aes128-sha256" ],
                  "start_action": "start"
                  {{child}}
                }
              }
              {{connection}}
            }
          },
          "secrets": {
            "ike-rw": { "id": "192.0.2.2", "secret": "ikefast-interop-psk-0123456789" }
          }
          {{top}}
        }
        """;
}
