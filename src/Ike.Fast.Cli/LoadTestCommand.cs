using System.CommandLine;
using System.Globalization;
using System.Net;
using Ike.Fast.LoadTest;
using Ike.Fast.Policy;

namespace Ike.Fast.Cli;

/// <summary>
/// <c>ikefast loadtest</c>: synthetic IKEv1 initiators driven by the engine against <c>--target</c>, or, by default,
/// against an embedded IkeFast responder on 127.0.0.1 (no root, no configuration, about 10-20 s).
/// Exit codes: 0 every handshake completed, 1 some failed, 2 invalid options.
/// </summary>
internal static class LoadTestCommand
{
    public static Command Create()
    {
        var target = new Option<string?>("--target") { Description = "Responder ADDR[:PORT] (default: an embedded IkeFast responder on 127.0.0.1)." };
        var mode = new Option<string>("--mode") { Description = "main or aggressive.", DefaultValueFactory = _ => "main" };
        var proposal = new Option<string>("--proposal") { Description = "IKE proposal, strongSwan syntax.", DefaultValueFactory = _ => "aes128-sha256-modp2048" };
        var esp = new Option<string>("--esp") { Description = "ESP proposal, strongSwan syntax (a trailing group = PFS).", DefaultValueFactory = _ => "aes128-sha256" };
        var children = new Option<int>("--children") { Description = "Quick Modes per Phase 1.", DefaultValueFactory = _ => 1 };
        var auth = new Option<string>("--auth") { Description = "Phase 1 authentication: psk or rsa (certificates; see --pki, --cert).", DefaultValueFactory = _ => "psk" };
        var cert = new Option<string?>("--cert") { Description = "RSA: certificate (PEM) every synthetic peer presents (with --key and --ca; for a --target)." };
        var key = new Option<string?>("--key") { Description = "RSA: private key (PEM) of --cert." };
        var ca = new Option<string?>("--ca") { Description = "RSA: CA certificate (PEM) the responder's certificate chains to." };
        var pki = new Option<string?>("--pki") { Description = "RSA: directory with the generator's CA and a responder certificate (ca.crt/.key, responder.crt/.key); created if missing." };
        var xauth = new Option<string?>("--xauth") { Description = "XAUTH after Phase 1: every peer logs in as this user (embedded: xauth=server with this user)." };
        var xauthPassword = new Option<string>("--xauth-password") { Description = "XAUTH password.", DefaultValueFactory = _ => "ikefast-loadtest-xauth" };
        var modeConfig = new Option<bool>("--mode-config") { Description = "Mode-Config pull: every peer asks for a virtual IPv4 address before its Quick Modes." };
        var natT = new Option<bool>("--nat-t") { Description = "NAT-T with forced UDP encapsulation: float to UDP 4500 after MM4 (the target must listen on 4500)." };
        var dpd = new Option<double?>("--dpd") { Description = "Dead Peer Detection: the peers' R-U-THERE interval in seconds (default off)." };
        var psk = new Option<string>("--psk") { Description = "Pre-shared key of the synthetic peers.", DefaultValueFactory = _ => "ikefast-loadtest" };
        var rate = new Option<double?>("--rate") { Description = "New handshakes per second (open loop)." };
        var concurrency = new Option<int?>("--concurrency") { Description = "Handshakes in flight (default 64; with --rate: a cap, default none)." };
        var rampUp = new Option<double>("--ramp-up") { Description = "Seconds to ramp the rate/concurrency up." };
        var duration = new Option<double?>("--duration") { Description = "Seconds to keep starting handshakes." };
        var count = new Option<long?>("--count") { Description = "Handshakes to start (default 2000 unless --duration)." };
        var churn = new Option<bool>("--churn") { Description = "Delete each Phase 1 once complete and reconnect." };
        var peers = new Option<int?>("--peers") { Description = "Distinct synthetic peers (source address/port/identity)." };
        var source = new Option<string?>("--source") { Description = "First source address (default 127.0.0.2 on loopback, else the wildcard)." };
        var drop = new Option<double>("--drop") { Description = "Probability to drop a datagram sent or received by the generator." };
        var duplicate = new Option<double>("--duplicate") { Description = "Probability to duplicate a datagram sent or received." };
        var delay = new Option<int>("--delay") { Description = "Hold every datagram the generator sends this many ms." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds after which a handshake counts as timed out.", DefaultValueFactory = _ => 10 };
        var retransmit = new Option<int>("--retransmit") { Description = "Initiators' first retransmission, ms (doubling).", DefaultValueFactory = _ => 2000 };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured warm-up handshakes first; from 32 up, rounds of them repeat (at most 8) until the JIT has settled.", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "Generator threads.", DefaultValueFactory = _ => 1 };
        var responderPid = new Option<int?>("--responder-pid") { Description = "With --target: the responder's process id on this host, to report its CPU." };
        var responderCgroup = new Option<string?>("--responder-cgroup")
        {
            Description = "With --target: the directory of a control group holding the responder (cgroup v2 cpu.stat or v1 cpuacct.usage), "
                + "to report the CPU of all its tasks exactly (preferred over --responder-pid's 10 ms ticks when readable).",
        };
        var freshDh = new Option<bool>("--fresh-dh")
        {
            Description = "A fresh DH key pair per exchange. Default: each generator thread reuses one key pair per group for the run "
                + "(a load generator, not a security device: it saves the generator a key generation; the responder still does its "
                + "full work and every handshake is still fully verified).",
        };
        var json = new Option<FileInfo?>("--json") { Description = "Write every figure and the per-second series as JSON." };
        var report = new Option<FileInfo?>("--report") { Description = "Write a self-contained HTML report (rate and latency over time)." };
        var command = new Command("loadtest", "Drive an IKEv1 responder with synthetic initiators (default: an embedded IkeFast responder).")
        {
            target, mode, proposal, esp, children, auth, cert, key, ca, pki, xauth, xauthPassword, modeConfig, natT, dpd, psk, rate, concurrency, rampUp, duration, count, churn, peers, source, drop, duplicate,
            delay, timeout, retransmit, warmup, threads, responderPid, freshDh, json, report,
            responderCgroup,
        };
        command.SetAction((result, cancel) =>
        {
            LoadTestOptions options;
            try
            {
                double? r = result.GetValue(rate);
                double? d = result.GetValue(duration);
                long? c = result.GetValue(count);
                options = new LoadTestOptions
                {
                    Target = result.GetValue(target) is { } t ? ParseTarget(t) : null,
                    Mode = result.GetValue(mode)?.ToLowerInvariant() switch
                    {
                        "main" => ExchangeMode.Main,
                        "aggressive" => ExchangeMode.Aggressive,
                        var m => throw new ArgumentException($"--mode: '{m}' is neither main nor aggressive"),
                    },
                    Proposal = result.GetValue(proposal)!,
                    Esp = result.GetValue(esp)!,
                    Children = result.GetValue(children),
                    PreSharedKey = result.GetValue(psk)!,
                    Auth = result.GetValue(auth)?.ToLowerInvariant() switch
                    {
                        "psk" => AuthMethod.Psk,
                        "rsa" or "pubkey" => AuthMethod.PubKey,
                        var a => throw new ArgumentException($"--auth: '{a}' is neither psk nor rsa"),
                    },
                    CertificateFile = FullPath(result.GetValue(cert)),
                    KeyFile = FullPath(result.GetValue(key)),
                    CaFile = FullPath(result.GetValue(ca)),
                    PkiDirectory = FullPath(result.GetValue(pki)),
                    XauthUser = result.GetValue(xauth),
                    XauthPassword = result.GetValue(xauthPassword)!,
                    ModeConfig = result.GetValue(modeConfig),
                    DpdDelaySeconds = result.GetValue(dpd),
                    NatTraversal = result.GetValue(natT),
                    Rate = r,
                    Concurrency = result.GetValue(concurrency) ?? (r is null ? 64 : 100_000),
                    RampUpSeconds = result.GetValue(rampUp),
                    DurationSeconds = d,
                    Count = c ?? (d is null ? 2000 : null),
                    Churn = result.GetValue(churn),
                    Peers = result.GetValue(peers),
                    SourceAddress = result.GetValue(source) is { } s ? IPAddress.Parse(s) : null,
                    Drop = result.GetValue(drop),
                    Duplicate = result.GetValue(duplicate),
                    DelayMs = result.GetValue(delay),
                    TimeoutSeconds = result.GetValue(timeout),
                    RetransmitMs = result.GetValue(retransmit),
                    Warmup = result.GetValue(warmup),
                    Threads = result.GetValue(threads),
                    ResponderPid = result.GetValue(responderPid),
                    ResponderCgroup = FullPath(result.GetValue(responderCgroup)),
                    FreshDh = result.GetValue(freshDh),
                };
                options.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"loadtest: {e.Message}");
                return Task.FromResult(2);
            }

            bool interactive = !Console.IsOutputRedirected;
            LoadTestResult outcome = ConsoleProgress.RunWithProgress(options, Console.Out, interactive, cancel);
            if (options.ResponderCgroup is { } cg && outcome.ResponderCpuSource is not ("cgroup-v2" or "cgroup-v1"))
            {
                // E.g. under `ip netns exec`, which mounts a fresh /sys without /sys/fs/cgroup: say so, the figure is coarser.
                Console.Error.WriteLine($"loadtest: --responder-cgroup {cg}: no cpu.stat or cpuacct.usage readable; responder CPU from {outcome.ResponderCpuSource ?? "nowhere"}");
            }

            if (result.GetValue(json) is { } jsonFile)
            {
                using FileStream f = jsonFile.Create();
                JsonReportWriter.Write(outcome, f);
                Console.WriteLine($"JSON: {jsonFile.FullName}");
            }

            if (result.GetValue(report) is { } htmlFile)
            {
                File.WriteAllText(htmlFile.FullName, HtmlReportWriter.ToHtml(outcome));
                Console.WriteLine($"HTML report: {htmlFile.FullName}");
            }

            return Task.FromResult(outcome.Failed == 0 && outcome.Completed > 0 ? 0 : 1);
        });
        return command;
    }

    private static string? FullPath(string? path) => path is null ? null : Path.GetFullPath(path);

    /// <summary>ADDR, ADDR:PORT or [V6]:PORT; port 500 by default.</summary>
    internal static IPEndPoint ParseTarget(string text)
    {
        // IPEndPoint.TryParse, not IPAddress.TryParse: the latter accepts "[v6]:port" and drops the port.
        if (IPEndPoint.TryParse(text, out IPEndPoint? ep))
        {
            return ep.Port == 0 ? new IPEndPoint(ep.Address, 500) : ep;
        }

        throw new FormatException($"--target: '{text}' is not ADDR[:PORT]");
    }
}
