using System.Diagnostics;
using System.Text;

namespace Ike.Fast.InteropTests;

/// <summary>
/// Drives one matrix row on a class's topology: (re)starts the peer in namespace b and <c>ikefast serve</c> in
/// namespace a, brings the SAs up from the requested side, and checks the result from both sides. Any failure dumps
/// both sides' status and logs into the test output before it propagates.
/// </summary>
internal sealed class InteropSession
{
    /// <summary>How long one side may take to show an SA (generous: 2 cores shared with the other test projects).</summary>
    private const int WaitSeconds = 12;

    /// <summary>Lines of each log copied into the output of a failed row.</summary>
    private const int LogTailLines = 200;

    private readonly InteropTopology _topology;
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public InteropSession(InteropTopology topology, ITestOutputHelper output)
    {
        _topology = topology;
        _output = output;
        topology.EnsureUp();
        ControlSocket = Path.Combine(topology.RunDirectory, "a", "ikefast.sock");
        Control = new IkeFastControl(ControlSocket);
    }

    public string ControlSocket { get; }

    public IkeFastControl Control { get; }

    private Harness H => _topology.Harness;

    private string PeerName => _topology.Peer == PeerKind.Charon ? "charon" : "pluto";

    /// <summary>Runs a row; on failure writes both sides' state and logs to the test output and rethrows.</summary>
    public void Run(InteropCase c, Action<InteropSession> body)
    {
        _output.WriteLine($"case: {c}");
        try
        {
            body(this);
            _output.WriteLine($"passed in {_clock.ElapsedMilliseconds} ms");
        }
        catch (Exception e)
        {
            _output.WriteLine($"FAILED after {_clock.ElapsedMilliseconds} ms: {e.Message}");
            Dump();
            throw;
        }
    }

    /// <summary>
    /// Starts both daemons for the case and brings up the ISAKMP SA and every child, initiated by the side the case
    /// names; returns when both sides list them.
    /// </summary>
    public void Establish(InteropCase c)
    {
        StopDaemons();
        StartPeer(c);
        StartIkeFast(c);
        if (!c.IkeFastInitiates)
        {
            for (var k = 1; k <= c.Children; k++)
            {
                // swanctl/whack return when the exchange is done (or failed: peer_wait below tells).
                PeerInitiate(InteropCase.ChildName(k));
            }
        }

        WaitPeer("ike", c.Children > 0 ? 1 : 0);
        WaitPeer("child", c.Children);
        WaitIkeFast($"1 ISAKMP SA and {c.Children} IPsec SA(s)", s => s.EstablishedIkeSas >= 1 && s.ChildSas.Count >= c.Children);
    }

    /// <summary>
    /// (Re)starts charon with <paramref name="peerParameters"/> (harness <c>peer_start</c> keys) and IkeFast with its
    /// configuration edited (connection and root), listening on UDP 500 and 4500, then brings one child up from the
    /// side the case names.
    /// </summary>
    public void EstablishEdited(InteropCase c, string[] peerParameters, Action<System.Text.Json.Nodes.JsonObject> editConnection,
        Action<System.Text.Json.Nodes.JsonObject>? editRoot = null)
    {
        StopDaemons();
        string[] start = ["peer_start", "charon", "b", c.IkeFastInitiates ? "responder" : "initiator",
            $"auth={c.Auth}", $"ike={c.Ike}", $"esp={c.Esp}", .. peerParameters];
        Assert.True(H.Call(start).Ok, "peer_start failed");

        File.Delete(ControlSocket);
        var path = IkeFastConfig.Write(c, _topology.RunDirectory, ControlSocket);
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        // RFC 3947 section 4: after NAT discovery the peers move to UDP 4500.
        root["daemon"]!["listen"] = new System.Text.Json.Nodes.JsonArray($"{IkeFastConfig.LocalAddress}:500", $"{IkeFastConfig.LocalAddress}:4500");
        editConnection(root["connections"]![InteropCase.Connection]!.AsObject());
        editRoot?.Invoke(root);
        File.WriteAllText(path, root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        var shim = H.Must("ikef_shim").Lines[^1].Trim();
        H.Must("proc_start", "a", "ikefast", "env", "LD_PRELOAD=" + shim, InteropEnvironment.DotnetHost, InteropEnvironment.CliDll, "serve", "--config", path,
            "--log-level", "debug"); // datagram lines are read by the road-warrior rows
        WaitIkeFast("control socket", _ => true);
        if (!c.IkeFastInitiates)
        {
            PeerInitiate(InteropCase.Connection);
        }

        WaitPeer("ike", 1);
        WaitPeer("child", 1);
        WaitIkeFast("1 ISAKMP SA and 1 IPsec SA", st => st.EstablishedIkeSas >= 1 && st.ChildSas.Count >= 1);
    }

    /// <summary>Starts <c>dotnet ikefast.dll serve</c> in namespace a and waits for its control socket to answer.</summary>
    public void StartIkeFast(InteropCase c)
    {
        File.Delete(ControlSocket);
        var config = IkeFastConfig.Write(c, _topology.RunDirectory, ControlSocket);
        // IkeFast installs through its XFRM installer, like in production. This kernel has no ESP, so the same
        // LD_PRELOAD shim as the peer's turns SA add/update/delete into acknowledged no-ops; SPI allocation and the
        // policies reach the kernel for real.
        var shim = H.Must("ikef_shim").Lines[^1].Trim();
        H.Must("proc_start", "a", "ikefast", "env", "LD_PRELOAD=" + shim, InteropEnvironment.DotnetHost, InteropEnvironment.CliDll, "serve", "--config", config,
            "--log-level", "debug"); // the per-datagram lines (Debug since the bench branch): tests read them, failures dump them
        WaitIkeFast("control socket", _ => true);
    }

    /// <summary>Stops IkeFast and the peer of the previous row (by recorded PID).</summary>
    public void StopDaemons()
    {
        H.Call("proc_stop", "a", "ikefast");
        H.Call("peer_stop", "b");
    }

    /// <summary>Any harness function (its result; the caller decides what failure means).</summary>
    public HarnessResult Harness(params string[] args) => H.Call(args);

    /// <summary>The peer starts Phase 1 (if needed) and the Quick Mode of <paramref name="child"/>; the result is checked by the caller.</summary>
    public void PeerInitiate(string child) => H.Call("peer_initiate", "b", child);

    /// <summary>The peer sends a Delete (harness peer_terminate: swanctl --terminate / whack).</summary>
    public void PeerTerminate(string what)
    {
        H.Must("peer_terminate", "b", what);
    }

    /// <summary>
    /// Polls the peer (harness peer_wait in 1 s slices) until it lists <paramref name="count"/> SAs. Fails fast when
    /// IkeFast gave up on the exchange (its log says "negotiation failed") or exited, so that a broken engine costs a
    /// second per row, not the whole timeout.
    /// </summary>
    public void WaitPeer(string what, int count, string? child = null)
    {
        var end = Stopwatch.StartNew();
        while (end.Elapsed < TimeSpan.FromSeconds(WaitSeconds))
        {
            if (H.Call("peer_wait", "b", what, count.ToString(System.Globalization.CultureInfo.InvariantCulture), "1", child ?? string.Empty).Ok)
            {
                return;
            }

            if (IkeFastGaveUp() is { } reason)
            {
                throw new Xunit.Sdk.XunitException($"{PeerName} lists no {what} SA and IkeFast gave up: {reason}");
            }
        }

        throw new Xunit.Sdk.XunitException($"{PeerName} did not list {count} {what} SA(s) within {WaitSeconds} s");
    }

    /// <summary>The first line of IkeFast's output that reports a failed negotiation, or that it is no longer running.</summary>
    private string? IkeFastGaveUp()
    {
        if (H.Call("proc_alive", "a", "ikefast").ExitCode != 0)
        {
            return "ikefast serve is not running";
        }

        var log = Path.Combine(_topology.RunDirectory, "a", "ikefast.out");
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Contains("negotiation failed", StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (IOException)
        {
            // Not written yet.
        }

        return null;
    }

    /// <summary>True when the peer lists at least <paramref name="count"/> SAs within <paramref name="seconds"/>.</summary>
    public bool PeerReaches(string what, int count, int seconds) =>
        H.Call("peer_wait", "b", what, count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)).Ok;

    /// <summary>Starts the peer for the case (b; responder when IkeFast initiates).</summary>
    public void StartPeer(InteropCase c) =>
        H.Must("peer_start", PeerName, "b", c.IkeFastInitiates ? "responder" : "initiator",
            $"mode={c.Mode}", $"auth={c.Auth}", $"ike={c.Ike}", $"esp={c.Esp}", $"children={c.Children}");

    public void WaitPeerGone(string what, string? child = null)
    {
        var r = H.Call("peer_wait_gone", "b", what, WaitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), child ?? string.Empty);
        if (!r.Ok)
        {
            throw new Xunit.Sdk.XunitException($"{PeerName} still lists {what} SA(s) after {WaitSeconds} s");
        }
    }

    /// <summary>Polls IkeFast's control socket every 50 ms until <paramref name="done"/> holds.</summary>
    public IkeFastStatus WaitIkeFast(string what, Func<IkeFastStatus, bool> done)
    {
        var end = Stopwatch.StartNew();
        IkeFastStatus? last = null;
        while (end.Elapsed < TimeSpan.FromSeconds(WaitSeconds + 5))
        {
            last = Control.Status();
            if (last is not null && done(last))
            {
                return last;
            }

            if (H.Call("proc_alive", "a", "ikefast").ExitCode != 0)
            {
                throw new Xunit.Sdk.XunitException($"ikefast serve exited while waiting for {what}");
            }

            Thread.Sleep(50);
        }

        throw new Xunit.Sdk.XunitException($"IkeFast did not reach '{what}' within {WaitSeconds + 5} s; last status: {last?.Json ?? "(no answer)"}");
    }

    /// <summary>IkeFast's own view through the CLI: <c>ikefast status --json</c>.</summary>
    public IkeFastStatus CliStatus()
    {
        var r = H.Exec(InteropEnvironment.DotnetHost, [InteropEnvironment.CliDll, "status", "--json", "--control-socket", ControlSocket]);
        Assert.True(r.Ok, $"ikefast status --json failed ({r.ExitCode}): {r.StandardError}");
        return IkeFastStatus.Parse(r.StandardOutput.Trim()) ?? throw new Xunit.Sdk.XunitException($"unparsable status: {r.StandardOutput}");
    }

    /// <summary>
    /// The row's success criterion, from both sides: the same ISAKMP SA (cookies where the peer shows them, who
    /// initiated, algorithms) and the same IPsec SAs (SPIs crosswise, algorithms, PFS group).
    /// </summary>
    public void VerifyBothSides(InteropCase c)
    {
        var ours = CliStatus();
        _output.WriteLine($"ikefast status --json: {ours.Json}");
        var problems = new List<string>();
        var ike = ProposalNames.Parse(c.Ike);
        var esp = ProposalNames.Parse(c.Esp);

        // IkeFast's own view.
        var ourIke = ours.IkeSas.Where(s => s.State == "established").ToList();
        Check(problems, ourIke.Count == 1, $"IkeFast lists {ourIke.Count} established ISAKMP SAs, expected 1");
        Check(problems, ours.ChildSas.Count == c.Children, $"IkeFast lists {ours.ChildSas.Count} IPsec SAs, expected {c.Children}");
        foreach (var s in ourIke)
        {
            Check(problems, s.Initiator == c.IkeFastInitiates, $"IkeFast initiator={s.Initiator}, expected {c.IkeFastInitiates}");
            Check(problems, s.Algorithms.Contains($" {c.Ike} ", StringComparison.Ordinal), $"IkeFast ISAKMP algorithms '{s.Algorithms}' do not name {c.Ike}");
            var mode = c.Mode == "aggressive" ? "Aggressive Mode" : "Main Mode";
            Check(problems, s.Algorithms.StartsWith(mode, StringComparison.Ordinal), $"IkeFast ISAKMP SA '{s.Algorithms}' is not {mode}");
        }

        foreach (var s in ours.ChildSas)
        {
            Check(problems, s.Encryption == esp.IkeFastEncryption, $"IkeFast child {s.Child} encryption {s.Encryption}, expected {esp.IkeFastEncryption}");
            Check(problems, s.Integrity == esp.IkeFastIntegrity, $"IkeFast child {s.Child} integrity {s.Integrity}, expected {esp.IkeFastIntegrity}");
            Check(problems, s.PfsGroup == esp.IkeFastGroup, $"IkeFast child {s.Child} PFS group '{s.PfsGroup}', expected '{esp.IkeFastGroup}'");
        }

        // The peer's view: SPIs crosswise (harness peer_spis, "CHILD SPI_IN SPI_OUT").
        var peerSpis = H.Must("peer_spis", "b").Lines.Select(l => l.Split(' ')).Where(p => p.Length == 3).ToList();
        _output.WriteLine($"{PeerName} peer_spis: {string.Join(" | ", peerSpis.Select(p => string.Join(' ', p)))}");
        Check(problems, peerSpis.Count == c.Children, $"{PeerName} lists {peerSpis.Count} IPsec SAs, expected {c.Children}");
        foreach (var s in ours.ChildSas)
        {
            var match = peerSpis.FirstOrDefault(p => p[1] == s.SpiOut && p[2] == s.SpiIn);
            Check(problems, match is not null, $"no {PeerName} IPsec SA with in={s.SpiOut} out={s.SpiIn} (IkeFast child {s.Child} in={s.SpiIn} out={s.SpiOut})");
            if (match is not null)
            {
                Check(problems, match[0] == s.Child, $"SPI pair {s.SpiIn}/{s.SpiOut}: IkeFast child {s.Child}, {PeerName} child {match[0]}");
            }
        }

        if (_topology.Peer == PeerKind.Charon)
        {
            VerifyCharon(c, ours, ike, esp, problems);
        }
        else
        {
            VerifyPluto(c, ike, esp, problems);
        }

        if (problems.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("both-sides check failed:\n  " + string.Join("\n  ", problems));
        }
    }

    private void VerifyCharon(InteropCase c, IkeFastStatus ours, ProposalNames ike, ProposalNames esp, List<string> problems)
    {
        var raw = H.Must("charon_sas", "b").StandardOutput;
        _output.WriteLine($"charon --list-sas --raw: {raw.Trim()}");
        var (ikeSas, children) = CharonSas.Parse(raw);
        var established = ikeSas.Where(s => s.Fields.GetValueOrDefault("state") == "ESTABLISHED").ToList();
        Check(problems, established.Count == 1, $"charon lists {established.Count} established IKE SAs, expected 1");
        foreach (var s in established)
        {
            var ourSa = ours.IkeSas.FirstOrDefault(o => o.InitiatorCookie == s.InitiatorCookie && o.ResponderCookie == s.ResponderCookie);
            Check(problems, ourSa is not null, $"charon's IKE SA {s.InitiatorCookie}/{s.ResponderCookie} is not IkeFast's");
            Check(problems, s.PeerInitiated == !c.IkeFastInitiates, $"charon initiator={s.PeerInitiated}, expected {!c.IkeFastInitiates}");
            var (alg, size) = ike.CharonEncryption;
            Check(problems, s.Fields.GetValueOrDefault("encr-alg") == alg, $"charon IKE encr-alg {s.Fields.GetValueOrDefault("encr-alg")}, expected {alg}");
            Check(problems, size is null || s.Fields.GetValueOrDefault("encr-keysize") == size, $"charon IKE encr-keysize {s.Fields.GetValueOrDefault("encr-keysize")}, expected {size}");
            Check(problems, s.Fields.GetValueOrDefault("integ-alg") == ike.CharonIntegrity, $"charon IKE integ-alg {s.Fields.GetValueOrDefault("integ-alg")}, expected {ike.CharonIntegrity}");
            Check(problems, s.Fields.GetValueOrDefault("dh-group") == ike.CharonGroup, $"charon IKE dh-group {s.Fields.GetValueOrDefault("dh-group")}, expected {ike.CharonGroup}");
        }

        foreach (var ch in children.Where(x => x.Fields.GetValueOrDefault("state") == "INSTALLED"))
        {
            var (alg, size) = esp.CharonEncryption;
            Check(problems, ch.Fields.GetValueOrDefault("encr-alg") == alg, $"charon child {ch.Name} encr-alg {ch.Fields.GetValueOrDefault("encr-alg")}, expected {alg}");
            Check(problems, size is null || ch.Fields.GetValueOrDefault("encr-keysize") == size, $"charon child {ch.Name} encr-keysize {ch.Fields.GetValueOrDefault("encr-keysize")}, expected {size}");
            Check(problems, ch.Fields.GetValueOrDefault("integ-alg") == esp.CharonIntegrity, $"charon child {ch.Name} integ-alg {ch.Fields.GetValueOrDefault("integ-alg")}, expected {esp.CharonIntegrity}");
            Check(problems, ch.Fields.GetValueOrDefault("dh-group") == esp.CharonGroup, $"charon child {ch.Name} dh-group {ch.Fields.GetValueOrDefault("dh-group")}, expected {esp.CharonGroup}");
        }
    }

    private void VerifyPluto(InteropCase c, ProposalNames ike, ProposalNames esp, List<string> problems)
    {
        var status = H.Must("peer_status", "b").StandardOutput;
        var states = PlutoStatus.IkeStates(status);
        _output.WriteLine($"pluto states: {string.Join(" | ", states.Select(s => $"{s.Name} {s.Fields["state"]}"))}");
        Check(problems, states.Count == 1, $"pluto lists {states.Count} established ISAKMP states, expected 1");
        foreach (var s in states)
        {
            Check(problems, s.PeerInitiated == !c.IkeFastInitiates, $"pluto state {s.Fields["state"]}: initiator={s.PeerInitiated}, expected {!c.IkeFastInitiates}");
        }

        var ikeAlg = PlutoStatus.IkeAlgorithm(status);
        Check(problems, ikeAlg == ike.PlutoIke, $"pluto IKE algorithm {ikeAlg}, expected {ike.PlutoIke}");
        var (espAlg, pfs) = PlutoStatus.EspAlgorithm(status);
        Check(problems, espAlg == esp.PlutoEsp, $"pluto ESP algorithm {espAlg}, expected {esp.PlutoEsp}");
        var expectedPfs = esp.PlutoGroup ?? "<N/A>";
        Check(problems, pfs == expectedPfs, $"pluto pfsgroup {pfs}, expected {expectedPfs}");
    }

    private static void Check(List<string> problems, bool ok, string message)
    {
        if (!ok)
        {
            problems.Add(message);
        }
    }

    /// <summary>Both sides' state and log tails, for a failed row.</summary>
    public void Dump()
    {
        try
        {
            var sb = new StringBuilder();
            sb.AppendLine("===== IkeFast status (control socket) =====");
            sb.AppendLine(Control.Status()?.Json ?? "(no answer)");
            sb.AppendLine($"===== {PeerName} status =====");
            var st = H.Call("peer_status", "b");
            sb.AppendLine(st.StandardOutput).AppendLine(st.StandardError);
            var run = _topology.RunDirectory;
            var peerLog = H.Call("peer_log", "b").StandardOutput.Trim();
            foreach (var file in new[]
            {
                Path.Combine(run, "a", "ikefast.out"),
                peerLog,
                Path.Combine(run, "b", _topology.Peer == PeerKind.Charon ? "swanctl.out" : "whack.out"),
                Path.Combine(run, "b", _topology.Peer == PeerKind.Charon ? "charon.out" : "pluto.out"),
            })
            {
                sb.AppendLine($"===== {file} (last {LogTailLines} lines) =====");
                if (file.Length > 0 && File.Exists(file))
                {
                    // charon logs every swanctl poll (vici client N connected/requests/disconnected): noise here.
                    foreach (var line in File.ReadLines(file).Where(l => !l.Contains("vici client", StringComparison.Ordinal)).TakeLast(LogTailLines))
                    {
                        sb.AppendLine(line);
                    }
                }
                else
                {
                    sb.AppendLine("(missing)");
                }
            }

            _output.WriteLine(sb.ToString());
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            _output.WriteLine($"(dump failed: {e.Message})");
        }
    }
}
