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

namespace Ike.Fast.Tests.Host;

/// <summary>
/// Two in-process daemons over loopback UDP: a (127.0.0.1, initiator side) and b (127.0.0.2, responder side), high
/// ports, no root. Installers keep key copies so a test can compare both ends' key material.
/// </summary>
internal sealed class LoopbackPair : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempConfigDirectory _dir = new();
    private readonly IkeFastConfiguration _aConfig;
    private readonly IkeFastConfiguration _bConfig;

    /// <param name="aChildren">Children JSON of side a (the initiator's start_action decides who starts).</param>
    /// <param name="bChildren">Children JSON of side b.</param>
    /// <param name="aAddress">Side a's address (default 127.0.0.1).</param>
    /// <param name="bAddress">Side b's address (default 127.0.0.2).</param>
    public LoopbackPair(string? aChildren = null, string? bChildren = null, string aExtra = "", string bExtra = "",
        IPAddress? aAddress = null, IPAddress? bAddress = null, bool rsa = false)
    {
        aAddress ??= IPAddress.Loopback;
        bAddress ??= IPAddress.Parse("127.0.0.2");
        var a = new IPEndPoint(aAddress, HostTestConfig.FreeUdpPort(aAddress));
        var b = new IPEndPoint(bAddress, HostTestConfig.FreeUdpPort(bAddress));
        ASocket = TestSocketPath.Create();
        BSocket = TestSocketPath.Create();
        string? aAuth = null, bAuth = null, aSecrets = null, bSecrets = null;
        if (rsa)
        {
            // Certificates from one CA; identities are the subject DNs (the default with auth=pubkey).
            TestPki.Write(_dir.Path);
            aAuth = RsaAuth("a.crt", "b");
            bAuth = RsaAuth("b.crt", "a");
            aSecrets = """ "private-a": { "file": "pki/a.key" } """;
            bSecrets = """ "private-b": { "file": "pki/b.key" } """;
        }

        _aConfig = HostTestConfig.Side(_dir, "a", a, b, initiate: true, "198.51.100.0/24", "203.0.113.0/24", ASocket, aChildren, aExtra,
            aAuth, aSecrets);
        _bConfig = HostTestConfig.Side(_dir, "b", b, a, initiate: false, "203.0.113.0/24", "198.51.100.0/24", BSocket, bChildren, bExtra,
            bAuth, bSecrets);
        B = Build(_bConfig, BInstaller);
        A = Build(_aConfig, AInstaller);
    }

    private static string RsaAuth(string certificate, string peer) => $$"""
        "local": { "auth": "pubkey", "certs": [ "pki/{{certificate}}" ] },
        "remote": { "auth": "pubkey", "id": "C=XX, O=IkeFast Interop, CN={{peer}}.ikefast.test", "cacerts": [ "pki/ca.crt" ] },
        """;

    public IHost A { get; }

    public IHost B { get; }

    public string ASocket { get; }

    public string BSocket { get; }

    public MemorySaInstaller AInstaller { get; } = new(NullLogger<MemorySaInstaller>.Instance, keepKeys: true);

    public MemorySaInstaller BInstaller { get; } = new(NullLogger<MemorySaInstaller>.Instance, keepKeys: true);

    private static IHost Build(IkeFastConfiguration configuration, MemorySaInstaller installer) => IkeFastHost.Build(configuration,
        new DaemonOptions(), LogLevel.Debug, logging => logging.ClearProviders(), services => services.AddSingleton(installer));

    /// <summary>Starts the responder first, then the initiator (whose start_action fires at start).</summary>
    public async Task StartAsync()
    {
        await B.StartAsync();
        await A.StartAsync();
    }

    public static async Task<bool> WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    public static async Task<JsonElement> Ask(string socket, string request)
    {
        var line = await ControlClient.QueryAsync(socket, request, TimeSpan.FromSeconds(5));
        using var json = JsonDocument.Parse(line);
        return json.RootElement.Clone();
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
