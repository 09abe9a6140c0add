using System.Net;
using System.Text.Json;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Tests.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.Tests.Host.Control;

/// <summary>
/// Two in-process daemons on loopback high ports like <see cref="LoopbackPair"/>, but side a (127.0.0.1, initiator of
/// connection <c>loop</c>) is started from a file with a reloader, so tests can rewrite <see cref="AFile"/> and reload.
/// </summary>
internal sealed class ControlPair : IAsyncDisposable
{
    private readonly TempConfigDirectory _dir = new();
    private readonly IkeFastConfiguration _aConfig;
    private readonly IkeFastConfiguration _bConfig;

    public ControlPair()
    {
        AEndPoint = new IPEndPoint(IPAddress.Loopback, HostTestConfig.FreeUdpPort(IPAddress.Loopback));
        var bAddress = IPAddress.Parse("127.0.0.2");
        BEndPoint = new IPEndPoint(bAddress, HostTestConfig.FreeUdpPort(bAddress));
        ASocket = TestSocketPath.Create();
        BSocket = TestSocketPath.Create();
        AFile = _dir.Write("a.json", AJson());
        var bFile = _dir.Write("b.json", Json(BEndPoint, AEndPoint, BSocket, Loop(BEndPoint, AEndPoint, false, "203.0.113.0/24", "198.51.100.0/24")));
        _aConfig = ConfigurationLoader.Load(AFile);
        _bConfig = ConfigurationLoader.Load(bFile);
        B = Build(_bConfig, BInstaller, null);
        A = Build(_aConfig, AInstaller, () => ConfigurationLoader.Load(AFile));
    }

    public IPEndPoint AEndPoint { get; }

    public IPEndPoint BEndPoint { get; }

    public string AFile { get; }

    public string ASocket { get; }

    public string BSocket { get; }

    public IHost A { get; }

    public IHost B { get; }

    public MemorySaInstaller AInstaller { get; } = new(NullLogger<MemorySaInstaller>.Instance);

    public MemorySaInstaller BInstaller { get; } = new(NullLogger<MemorySaInstaller>.Instance);

    /// <summary>Side a's file: <c>loop</c> (unless <paramref name="withLoop"/> is false) plus <paramref name="extra"/> connections.</summary>
    public string AJson(bool withLoop = true, string extra = "", string child = "net")
    {
        var connections = withLoop ? Loop(AEndPoint, BEndPoint, true, "198.51.100.0/24", "203.0.113.0/24", child) : "";
        if (extra.Length > 0)
        {
            connections = connections.Length == 0 ? extra : connections + ",\n" + extra;
        }

        return Json(AEndPoint, BEndPoint, ASocket, connections);
    }

    /// <summary>A connection NAME from a to an address nobody answers on (start_action none).</summary>
    public static string Idle(string name) => $$"""
        "{{name}}": {
          "local_addrs": "127.0.0.1", "remote_addrs": "127.0.0.3", "remote_port": 9,
          "proposals": "aes128-sha256-modp2048",
          "local": { "auth": "psk" }, "remote": { "auth": "psk" },
          "children": { "c": { "local_ts": "10.1.0.0/24", "remote_ts": "10.2.0.0/24", "esp_proposals": "aes128-sha256" } }
        }
        """;

    private static string Loop(IPEndPoint local, IPEndPoint remote, bool initiate, string localTs, string remoteTs, string child = "net") => $$"""
        "loop": {
          "local_addrs": "{{local.Address}}", "remote_addrs": "{{remote.Address}}", "remote_port": {{remote.Port}},
          "proposals": "aes128-sha256-modp2048",
          "local": { "auth": "psk" }, "remote": { "auth": "psk" },
          "children": { "{{child}}": { "local_ts": "{{localTs}}", "remote_ts": "{{remoteTs}}", "esp_proposals": "aes128-sha256",
                                 "start_action": "{{(initiate ? "start" : "none")}}" } }
        }
        """;

    private static string Json(IPEndPoint local, IPEndPoint remote, string socket, string connections) => $$"""
        {
          "daemon": { "listen": [ "{{local}}" ], "control_socket": "{{socket}}" },
          "connections": { {{connections}} },
          "secrets": { "ike-loop": { "secret": "ikefast-loopback-test-psk" } }
        }
        """;

    private static IHost Build(IkeFastConfiguration configuration, MemorySaInstaller installer, Func<IkeFastConfiguration>? reloader) =>
        IkeFastHost.Build(configuration, new DaemonOptions(), LogLevel.Debug, logging => logging.ClearProviders(),
            services => services.AddSingleton(installer), reloader);

    /// <summary>Starts both and waits until a's <c>loop</c> has one IKE and one IPsec SA.</summary>
    public async Task StartEstablishedAsync()
    {
        await B.StartAsync();
        await A.StartAsync();
        Assert.True(await LoopbackPair.WaitUntil(() => AInstaller.Installed.Count == 1 && BInstaller.Installed.Count == 1));
        Assert.True(await LoopbackPair.WaitUntil(() => Count(ASocket, "ike_sas") == 1));
    }

    public static int Count(string socket, string list)
    {
        var status = LoopbackPair.Ask(socket, """{"command":"status"}""").GetAwaiter().GetResult();
        return status.GetProperty(list).GetArrayLength();
    }

    public static async Task<ControlResponse> Status(string socket)
    {
        var line = await ControlClient.QueryAsync(socket, """{"command":"status"}""", TimeSpan.FromSeconds(5));
        return JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse)!;
    }

    public async ValueTask DisposeAsync()
    {
        await A.StopAsync();
        await B.StopAsync();
        A.Dispose();
        B.Dispose();
        AInstaller.Dispose();
        BInstaller.Dispose();
        _aConfig.Dispose();
        _bConfig.Dispose();
        _dir.Dispose();
    }
}
