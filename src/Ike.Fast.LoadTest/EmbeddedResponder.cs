using System.Net;
using System.Text.Json;
using Ike.Fast.Host.Configuration;
using Ike.Fast.Host.Control;
using Ike.Fast.Host.Daemon;
using Ike.Fast.Host.Installation;
using Ike.Fast.Host.Transport;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ike.Fast.LoadTest;

/// <summary>
/// The default target: the real daemon loop (<see cref="IkeDaemon"/>) on 127.0.0.1:&lt;free port&gt; with the memory SA
/// installer, on its own thread, configured through the same configuration loader as <c>ikefast serve</c> from a
/// built-in file: one PSK connection accepting any peer (the synthetic initiators) with the run's proposals.
/// </summary>
internal sealed class EmbeddedResponder : IDisposable
{
    private const string XauthUsersFile = "xauth-users";

    /// <summary>The embedded responder's address with <see cref="LoadTestOptions.NatTraversal"/>.</summary>
    private static readonly IPAddress NatTraversalAddress = IPAddress.Parse("127.45.0.1");

    /// <summary>Mode-Config: the virtual addresses handed to synthetic peers (RFC 6598 shared space, 65534 leases).</summary>
    private const string ModeConfigPool = "100.64.0.0/16";

    /// <summary>Environment variable: <c>socket</c> = the one-datagram-per-call transport instead of the batched one.</summary>
    public const string IoEnvironmentVariable = "IKEFAST_LOADTEST_IO";

    private readonly string _directory;
    private readonly IkeFastConfiguration _configuration;
    private readonly IDatagramTransport _transport;
    private readonly Ike.Fast.Host.Sharding.ShardInbox? _inbox;
    private readonly MemorySaInstaller _installer;
    private readonly IkeDaemon _daemon;
    private readonly CancellationTokenSource _cancel = new();
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _started = new(false);
    private Exception? _failure;

    public EmbeddedResponder(LoadTestOptions options, LoadTestPki? pki = null)
    {
        _directory = Directory.CreateTempSubdirectory("ikefast-loadtest-").FullName;
        string path = Path.Combine(_directory, "responder.json");
        if (pki is not null)
        {
            // auth=pubkey reads certificates and keys from files, like `ikefast serve`; they live as long as the loading.
            pki.Export(_directory);
        }

        if (options.XauthUser is not null)
        {
            // daemon.xauth_users: the one user every synthetic peer logs in as (PBKDF2 line, never the password).
            File.WriteAllText(Path.Combine(_directory, XauthUsersFile),
                Protocol.Transaction.Pbkdf2XauthBackend.CreateLine(options.XauthUser, options.XauthPassword) + "\n");
        }

        File.WriteAllText(path, ConfigurationJson(options));
        try
        {
            _configuration = ConfigurationLoader.Load(path);
        }
        finally
        {
            // The files held the PSK or the private keys; the loaded configuration is all that is needed from now on.
            Directory.Delete(_directory, recursive: true);
        }

        // NAT-T floats to UDP 4500 (RFC 3947 section 4): on an address of its own so that another process's 127.0.0.1:4500
        // (a test, a real daemon) is not in the way.
        IPEndPoint[] listen = options.NatTraversal
            ? [new IPEndPoint(NatTraversalAddress, 0), new IPEndPoint(NatTraversalAddress, Protocol.Endpoint.NatTraversalPort)]
            : [new IPEndPoint(IPAddress.Loopback, 0)];
        if (Ike.Native.Udp.UdpBatch.IsSupported && Environment.GetEnvironmentVariable(IoEnvironmentVariable) != "socket")
        {
            // The daemon's default I/O on Linux (`ikefast serve`, one shard): recvmmsg/sendmmsg and a poll(2) wait that
            // the DH worker ends through the shard inbox's eventfd (IWakeableTransport).
            _inbox = new Ike.Fast.Host.Sharding.ShardInbox(1024, 4096);
            var sockets = new UdpSocketSet(listen, reusePort: false, 0, NullLogger.Instance);
            _transport = new BatchedUdpTransport(0, 1, sockets, ownsSockets: true, receiveSockets: true, [_inbox],
                new ShardingSettings().BatchSize, new DaemonOptions().DatagramBufferSize, NullLogger.Instance);
        }
        else
        {
            _transport = new UdpDatagramTransport(listen, NullLogger.Instance);
        }
        _installer = new MemorySaInstaller(NullLogger<MemorySaInstaller>.Instance);
        Registry = new SaRegistry(TimeProvider.System);
        var threadsBefore = ThreadCpu.ThreadIds();
        _daemon = new IkeDaemon(_configuration, _transport, _installer, Registry, new DaemonOptions(), NullLogger<IkeDaemon>.Instance,
            endpointOptions: new EndpointOptions
            {
                // Thousands of synthetic peers come from one host: the per-address and global half-open limits are
                // for the open Internet, not for a load test of the engine.
                MaxHalfOpen = 1 << 20,
                MaxHalfOpenPerAddress = 1 << 20,
                MaxQuickModesPerSa = Math.Max(64, options.Children),
            });
        // The daemon's DH engine runs its batches on a worker thread of its own ("IkeFast modexp batcher"): responder
        // CPU, not "other process CPU".
        HelperThreadIds = ThreadCpu.NewThreads(threadsBefore, "IkeFast");
        EndPoint = _transport.LocalEndPoints[0];
        _thread = new Thread(Run) { Name = "loadtest-responder", IsBackground = true };
        _thread.Start();
        _started.Wait();
    }

    /// <summary>Where the responder listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Kernel thread id of the daemon loop (0 off Linux).</summary>
    public int ThreadId { get; private set; }

    /// <summary>Kernel thread ids of the daemon's helper threads (its DH batch worker), charged to the responder.</summary>
    public IReadOnlyList<int> HelperThreadIds { get; }

    /// <summary>The daemon's SA registry (IKE and IPsec SAs currently up).</summary>
    public SaRegistry Registry { get; }

    /// <summary>The engine's counters.</summary>
    public EndpointCounters Counters => _daemon.Counters;

    /// <summary>The loop's exception, if it died.</summary>
    public Exception? Failure => _failure;

    private void Run()
    {
        ThreadId = ThreadCpu.CurrentThreadId();
        _started.Set();
        try
        {
            _daemon.Run(_cancel.Token);
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    /// <summary>The built-in configuration, in the layout of <c>ikefast serve --config</c>.</summary>
    internal static string ConfigurationJson(LoadTestOptions options)
    {
        bool rsa = options.Auth == AuthMethod.PubKey;
        var children = new Dictionary<string, object>
        {
            ["loadtest"] = new Dictionary<string, object>
            {
                ["local_ts"] = new[] { "10.0.0.0/8" },
                ["remote_ts"] = new[] { "dynamic" },
                ["esp_proposals"] = new[] { options.Esp },
            },
        };
        var connection = new Dictionary<string, object>
        {
            ["version"] = 1,
            ["local_addrs"] = new[] { options.NatTraversal ? NatTraversalAddress.ToString() : "127.0.0.1" },
            ["remote_addrs"] = new[] { "%any" },
            ["aggressive"] = options.Mode == ExchangeMode.Aggressive,
            ["proposals"] = new[] { options.Proposal },
            ["local"] = rsa
                ? new Dictionary<string, object> { ["auth"] = "pubkey", ["certs"] = new[] { "responder.crt" } }
                : new Dictionary<string, object> { ["auth"] = "psk", ["id"] = "@responder.loadtest.ikefast" },
            ["remote"] = rsa
                ? new Dictionary<string, object> { ["auth"] = "pubkey", ["cacerts"] = new[] { "ca.crt" } }
                : new Dictionary<string, object> { ["auth"] = "psk" },
            ["children"] = children,
        };
        if (options.XauthUser is not null)
        {
            connection["xauth"] = "server";
        }

        if (options.ModeConfig)
        {
            connection["pools"] = new[] { "loadtest" };
        }

        var root = new Dictionary<string, object>
        {
            ["daemon"] = options.XauthUser is null
                ? new Dictionary<string, object>()
                : new Dictionary<string, object> { ["xauth_users"] = XauthUsersFile },
            ["pools"] = options.ModeConfig
                ? new Dictionary<string, object> { ["loadtest"] = new Dictionary<string, object> { ["addrs"] = ModeConfigPool } }
                : new Dictionary<string, object>(),
            ["connections"] = new Dictionary<string, object> { ["loadtest"] = connection },
            ["secrets"] = rsa
                ? new Dictionary<string, object>
                {
                    ["private-responder"] = new Dictionary<string, object> { ["file"] = "responder.key" },
                }
                : new Dictionary<string, object>
                {
                    ["ike-loadtest"] = new Dictionary<string, object> { ["secret"] = options.ResponderPreSharedKey ?? options.PreSharedKey },
                },
        };
        return JsonSerializer.Serialize(root, new JsonSerializerOptions { WriteIndented = true });
    }

    public void Dispose()
    {
        _cancel.Cancel();
        _thread.Join(TimeSpan.FromSeconds(5));
        _transport.Dispose();
        _inbox?.Dispose();
        _installer.Dispose();
        _configuration.Dispose();
        _cancel.Dispose();
        _started.Dispose();
    }
}
