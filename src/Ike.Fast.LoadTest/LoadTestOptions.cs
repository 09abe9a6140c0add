using System.Net;
using Ike.Fast.Policy;

namespace Ike.Fast.LoadTest;

/// <summary>
/// Everything one <c>ikefast loadtest</c> run needs. Defaults are the embedded demonstration: 2000 Main Mode PSK
/// handshakes (aes128-sha256-modp2048, one Quick Mode each), 64 in flight, against an in-process IkeFast responder
/// on 127.0.0.1 — about 10-20 s on two cores.
/// </summary>
public sealed record LoadTestOptions
{
    /// <summary>The responder to drive; null = start the embedded IkeFast responder on 127.0.0.1:&lt;free port&gt;.</summary>
    public IPEndPoint? Target { get; init; }

    /// <summary>Main or Aggressive Mode.</summary>
    public ExchangeMode Mode { get; init; } = ExchangeMode.Main;

    /// <summary>IKE proposal in strongSwan keyword syntax (<c>aes128-sha256-modp2048</c>).</summary>
    public string Proposal { get; init; } = "aes128-sha256-modp2048";

    /// <summary>ESP proposal in strongSwan keyword syntax; a trailing DH group asks for PFS.</summary>
    public string Esp { get; init; } = "aes128-sha256";

    /// <summary>Quick Modes (IPsec SA pairs) per Phase 1; a handshake completes when all are up.</summary>
    public int Children { get; init; } = 1;

    /// <summary>Phase 1 authentication: PSK (default) or RSA signatures with certificates (<c>--auth rsa</c>, see <see cref="LoadTestPki"/>).</summary>
    public AuthMethod Auth { get; init; } = AuthMethod.Psk;

    /// <summary>RSA: one certificate (PEM) every synthetic peer presents; with <see cref="KeyFile"/> and <see cref="CaFile"/>.</summary>
    public string? CertificateFile { get; init; }

    /// <summary>RSA: the private key (PEM, PKCS#1 or PKCS#8) of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>RSA: the CA certificate (PEM) the responder's certificate must chain to.</summary>
    public string? CaFile { get; init; }

    /// <summary>RSA: a directory with the generator's CA and the responder's certificate, read or created there (<c>--pki DIR</c>).</summary>
    public string? PkiDirectory { get; init; }

    /// <summary>
    /// XAUTH (draft-beaulieu-ike-xauth-02) after Phase 1: every synthetic peer logs in as this user (null = none); the
    /// embedded responder gets <c>xauth = server</c> and a users file with this one user (PBKDF2, so each login costs
    /// the responder what a real XAUTH server pays).
    /// </summary>
    public string? XauthUser { get; init; }

    /// <summary>XAUTH: the password of <see cref="XauthUser"/>.</summary>
    public string XauthPassword { get; init; } = "ikefast-loadtest-xauth";

    /// <summary>
    /// Mode-Config (draft-dukes-ike-mode-cfg-02) pull: every synthetic peer asks for a virtual IPv4 address before its
    /// Quick Modes; the embedded responder hands them out from 100.64.0.0/16.
    /// </summary>
    public bool ModeConfig { get; init; }

    /// <summary>
    /// NAT-T (RFC 3947) with forced UDP encapsulation: the peers send NAT-D hashes that cannot match, so both sides
    /// float to UDP 4500 after MM4 and the IPsec SAs are ESP-in-UDP (RFC 3948). The target must listen on 4500 (the
    /// embedded responder then listens on 127.45.0.1, its own port and 4500).
    /// </summary>
    public bool NatTraversal { get; init; }

    /// <summary>Dead Peer Detection (RFC 3706): the peers' R-U-THERE interval in seconds when idle (null = off).</summary>
    public double? DpdDelaySeconds { get; init; }

    /// <summary>The pre-shared key the synthetic peers use.</summary>
    public string PreSharedKey { get; init; } = "ikefast-loadtest";

    /// <summary>The pre-shared key the embedded responder accepts (null = <see cref="PreSharedKey"/>); tests set a different one.</summary>
    public string? ResponderPreSharedKey { get; init; }

    /// <summary>New handshakes per second (open loop); null = closed loop with <see cref="Concurrency"/>.</summary>
    public double? Rate { get; init; }

    /// <summary>Handshakes in flight (closed loop); with <see cref="Rate"/> it caps the in-flight count.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Seconds over which the rate (or the concurrency) grows linearly from near zero to its target.</summary>
    public double RampUpSeconds { get; init; }

    /// <summary>Stop starting handshakes after this many seconds (null = only <see cref="Count"/> bounds the run).</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>Stop after starting this many handshakes (null = only <see cref="DurationSeconds"/> bounds the run).</summary>
    public long? Count { get; init; } = 2000;

    /// <summary>Delete each Phase 1 as soon as it completed and reconnect from the same synthetic peer.</summary>
    public bool Churn { get; init; }

    /// <summary>Distinct synthetic peers (source address + port + identity); null = as many as handshakes (max 20000), or the concurrency with churn.</summary>
    public int? Peers { get; init; }

    /// <summary>First source address of the synthetic peers (then +1 each); null = 127.0.0.2 for loopback targets, else the wildcard.</summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>Probability that the generator drops a datagram it sends or receives.</summary>
    public double Drop { get; init; }

    /// <summary>Probability that the generator sends/receives a datagram twice.</summary>
    public double Duplicate { get; init; }

    /// <summary>Every datagram the generator sends is held this many milliseconds first.</summary>
    public int DelayMs { get; init; }

    /// <summary>A handshake not complete after this many seconds counts as a timeout.</summary>
    public double TimeoutSeconds { get; init; } = 10;

    /// <summary>The initiators' first retransmission (ms, doubled each time; the engine's default of 4 s is for real peers).</summary>
    public int RetransmitMs { get; init; } = 2000;

    /// <summary>Generator threads (each one engine instance and its sockets).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>With <see cref="Target"/>: the responder's process id on this host, to report its CPU time.</summary>
    public int? ResponderPid { get; init; }

    /// <summary>
    /// With <see cref="Target"/>: the directory of a control group holding the responder (cgroup v2 with
    /// <c>cpu.stat</c>, or v1 cpuacct with <c>cpuacct.usage</c>): its CPU time counts every task of the group in
    /// nanoseconds; preferred over <see cref="ResponderPid"/>'s 10 ms ticks when readable.
    /// </summary>
    public string? ResponderCgroup { get; init; }

    /// <summary>Unmeasured handshakes before the run (JIT warm-up), deleted before measuring starts.</summary>
    public int Warmup { get; init; } = 32;

    /// <summary>
    /// A fresh Diffie-Hellman key pair for every exchange (<c>--fresh-dh</c>). Off by default: each generator thread
    /// reuses one key pair per group for the whole run (see <see cref="ReusedKeyPairDhEngine"/>), which saves the
    /// generator a key generation per handshake; the responder's work and the verification of every handshake are
    /// the same either way.
    /// </summary>
    public bool FreshDh { get; init; }

    /// <summary>
    /// One UDP socket per synthetic peer even where the peers could share one (<see cref="SharedPeerSocket"/>); tests
    /// keep that path covered (<c>IKEFAST_LOADTEST_SOCKETS=per-peer</c> does the same from the command line).
    /// </summary>
    internal bool PerPeerSockets { get; init; }

    /// <summary>Seed of the impairment decisions (drop/duplicate), so runs are repeatable.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the option.</summary>
    public void Validate()
    {
        Check(Children >= 1 && Children <= 64, "--children must be 1..64");
        Check(Concurrency >= 1, "--concurrency must be at least 1");
        Check(Rate is null || Rate > 0, "--rate must be positive");
        Check(RampUpSeconds >= 0, "--ramp-up must not be negative");
        Check(DurationSeconds is null || DurationSeconds > 0, "--duration must be positive");
        Check(Count is null || Count > 0, "--count must be positive");
        Check(Count is not null || DurationSeconds is not null, "give --count or --duration (the run must be bounded)");
        Check(Drop is >= 0 and < 1, "--drop must be in [0, 1)");
        Check(Duplicate is >= 0 and <= 1, "--duplicate must be in [0, 1]");
        Check(DelayMs >= 0, "--delay must not be negative");
        Check(TimeoutSeconds > 0, "--timeout must be positive");
        Check(RetransmitMs >= 10, "--retransmit must be at least 10 ms");
        Check(Threads is >= 1 and <= 64, "--threads must be 1..64");
        Check(Peers is null || Peers >= 1, "--peers must be positive");
        Check(Warmup >= 0, "--warmup must not be negative");
        Check(Mode is ExchangeMode.Main or ExchangeMode.Aggressive, "--mode must be main or aggressive");
        Check(Auth is AuthMethod.Psk or AuthMethod.PubKey, "--auth must be psk or rsa");
        bool anyFile = CertificateFile is not null || KeyFile is not null || CaFile is not null;
        Check(!anyFile || (CertificateFile is not null && KeyFile is not null && CaFile is not null), "--cert, --key and --ca go together");
        Check(!anyFile || Auth == AuthMethod.PubKey, "--cert/--key/--ca need --auth rsa");
        Check(!anyFile || Target is not null, "--cert/--key/--ca drive a --target (the embedded responder uses a generated CA or --pki)");
        Check(!anyFile || PkiDirectory is null, "give either --cert/--key/--ca or --pki");
        Check(PkiDirectory is null || Auth == AuthMethod.PubKey, "--pki needs --auth rsa");
        Check(Auth == AuthMethod.Psk || Target is null || anyFile || PkiDirectory is not null,
            "--auth rsa with --target needs --pki DIR (configure the responder with DIR/ca.crt and DIR/responder.crt) or --cert/--key/--ca");
        foreach (string? file in new[] { CertificateFile, KeyFile, CaFile })
        {
            Check(file is null || File.Exists(file), $"file not found: {file}");
        }

        Check(XauthUser is null || XauthUser.Length > 0, "--xauth needs a user name");
        Check(ResponderCgroup is null || Target is not null, "--responder-cgroup measures a --target's responder");
        Check(DpdDelaySeconds is null || DpdDelaySeconds > 0, "--dpd must be positive");

        _ = ProposalParser.ParseIke(Proposal);
        _ = ProposalParser.ParseEsp(Esp);
    }

    private static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new ArgumentException(message);
        }
    }
}
