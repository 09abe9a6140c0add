using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ike.Fast.Host.Installation;
using Ike.Fast.Policy;
using Ike.Fast.Protocol;
using Ike.Native.Xfrm;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Kernel;

/// <summary>
/// Installs negotiated IPsec SAs into the Linux kernel over NETLINK_XFRM (RFC 4301 section 4.4: SAD and SPD).
/// <list type="bullet">
/// <item>Inbound SPIs are drawn by the installer and reserved in memory (<see cref="XfrmSpiAllocation.Daemon"/>, the
/// default: the inbound SA goes in with NEWSA), or come from XFRM_MSG_ALLOCSPI (<see cref="XfrmSpiAllocation.Kernel"/>: a
/// larval SA holds the SPI until the inbound SA replaces it with UPDSA).</item>
/// <item><see cref="Install"/> sends both SAs and the policies (out, in, and fwd in tunnel mode) in one batch; if the
/// kernel refuses any of them, what did go in is removed again in a second batch and the failure is logged and queued
/// as <see cref="KernelEventKind.InstallFailed"/>, never thrown (the daemon loop must go on).</item>
/// <item>Each child (connection, child, selectors) gets a reqid from <see cref="XfrmOwnership"/>'s range; a rekeyed
/// pair of the same child reuses it and its policies, which are removed with the child's last pair.</item>
/// <item>Ownership is tracked in memory and in an <see cref="OwnedStateJournal"/>: <see cref="Dispose"/> removes exactly
/// what this instance installed, and opening removes what the journal says a previous run left behind.</item>
/// <item>A second socket subscribed to ACQUIRE/EXPIRE is read by a background thread; events on IkeFast's reqids are
/// queued (<see cref="TryDequeueEvent"/>) for the daemon.</item>
/// </list>
/// Install/Delete/Allocate/Release run on the daemon loop threads: with several shards, on several threads at once.
/// One netlink socket and one batch buffer serve them all, so every operation that sends on the socket holds
/// <c>_io</c> for its whole request/acknowledgement round trip (two threads on one netlink socket took each other's
/// acknowledgements: installs timed out after 5 s and negotiations failed, found by bench/race.sh with two shards).
/// The ownership tables are also read by the event thread, hence <c>_lock</c>.
/// </summary>
public sealed class XfrmSaInstaller : ISaInstaller, IDisposable
{
    private const int EventWaitMilliseconds = 200;

    /// <summary>The kernel's index of an owned child's policy (tests); 0 when unknown.</summary>
    internal uint PolicyIndex(uint reqId, XfrmPolicyDirection direction)
    {
        lock (_lock)
        {
            return !_policyIndices.TryGetValue(reqId, out var i) ? 0
                : direction switch { XfrmPolicyDirection.Out => i.Out, XfrmPolicyDirection.In => i.In, _ => i.Forward };
        }
    }

    /// <summary>
    /// One policy-removing delete in this many, or in as many as there are live children if more, goes by selector,
    /// pruning the kernel's selector tree (<see cref="QueueRemoval"/>).
    /// </summary>
    internal const int PruneEvery = 64;

    /// <summary>
    /// The daemon's <see cref="XfrmInstallerOptions.RemovalDelay"/>: a removal waits at most this long for an install to
    /// share its netlink message with (see <see cref="Delete"/>).
    /// </summary>
    public static readonly TimeSpan DefaultRemovalDelay = TimeSpan.FromMilliseconds(2);

    /// <summary>Removals held back at most; one more sends them all.</summary>
    internal const int MaxHeldRemovals = 16;

    /// <summary>
    /// Journal lines allowed beyond four per live pair before a rewrite. A rewrite costs a temp file, every live line
    /// formatted and a rename; under churn (a delete and an install per handshake: two lines) with 240 peers in
    /// bench/race.sh a slack of 64 made it run every ~400 handshakes, about 2 ms each (rarely run, so cold code, and a
    /// create + rename on the runtime directory's file system): ~5 us of the responder's CPU per teardown in perf. 4,096
    /// lines (~0.6 MB at most beyond the live entries) make it six times rarer there, and rarer still with more peers.
    /// </summary>
    internal const int JournalSlack = 4096;

    /// <summary>Chosen policy indexes are this bit or'd with a slot of 8 (<see cref="NextPolicyIndices"/>).</summary>
    internal const uint PolicyIndexBase = 0x8000_0000;

    private const uint SlotMask = 0x0fff_ffff;

    /// <summary>Whether installs choose their policies' indexes (else they learn them with GETPOLICY); tests set it.</summary>
    internal bool ChoosePolicyIndices { get => _choosePolicyIndices; set => _choosePolicyIndices = value; }

    /// <summary>
    /// Tests only: chosen indexes get direction bits that name another direction (xor 3: out 2, in 3, fwd 1), which
    /// Linux refuses with EINVAL in verify_newpolicy_info ("Policy index doesn't match direction": index &amp; 7 on
    /// 6.18, index &amp; XFRM_POLICY_MAX (3) in older kernels; xor 3 is wrong under both), as a kernel refusing
    /// daemon-chosen indexes would.
    /// </summary>
    internal bool MisdirectChosenIndices { get => _misdirect != 0; set => _misdirect = value ? 3u : 0u; }

    /// <summary>Tests only: the batch every install and removal goes through (tests set its SaMessagesAsNoop, so
    /// installs succeed on a kernel without ESP and what they do with policies can be checked).</summary>
    internal XfrmBatch Batch => _batch;

    private readonly XfrmSocket _socket;
    private readonly XfrmSocket? _eventSocket;
    private readonly XfrmInstallerOptions _options;
    private readonly ILogger _logger;
    private readonly Func<string, string, ChildConfig?>? _childLookup;
    private readonly OwnedStateJournal? _journal;
    private readonly XfrmBatch _batch = new();
    private readonly XfrmStatus[] _results = new XfrmStatus[(MaxHeldRemovals * 5) + 8];
    private readonly uint[] _values = new uint[(MaxHeldRemovals * 5) + 8];
    private readonly HeldRemoval[] _heldRemovals = new HeldRemoval[MaxHeldRemovals];
    private int _held;
    private long _heldSince;
    private readonly Lock _lock = new();
    private readonly Lock _io = new();
    private readonly Dictionary<uint, List<OwnedChildSa>> _byReqId = [];
    private readonly Dictionary<uint, OwnedChildSa> _byInboundSpi = [];
    private readonly Dictionary<ChildKey, uint> _reqIdByChild = [];
    private readonly Dictionary<uint, Larval> _larval = [];
    private readonly Dictionary<uint, PolicyIndices> _policyIndices = [];
    private uint _nextPolicySlot = (uint)RandomNumberGenerator.GetInt32(int.MaxValue) & SlotMask;
    private volatile bool _choosePolicyIndices = true;
    private uint _misdirect;
    private readonly ConcurrentQueue<KernelEvent> _events = new();
    private readonly Thread? _eventThread;
    private volatile bool _stopping;
    private uint _lastReqId;
    private int _policyRemovals;
    private bool _allocationFallbackLogged;
    private bool _disposed;

    private XfrmSaInstaller(XfrmSocket socket, XfrmSocket? eventSocket, XfrmInstallerOptions options, ILogger logger,
        Func<string, string, ChildConfig?>? childLookup)
    {
        _socket = socket;
        _eventSocket = eventSocket;
        _options = options;
        _logger = logger;
        _childLookup = childLookup;
        _journal = options.JournalPath is null ? null : new OwnedStateJournal(options.JournalPath, logger);
        FlushedAtStart = FlushStale();
        if (eventSocket is not null)
        {
            _eventThread = new Thread(ReceiveEvents) { Name = "ikefast-xfrm-events", IsBackground = true };
            _eventThread.Start();
        }
    }

    /// <summary>
    /// Opens the request (and event) sockets, removes stale state listed in the journal, starts the event thread.
    /// Fails (no exception) when XFRM cannot be used here: no CAP_NET_ADMIN, no namespace, no netlink XFRM.
    /// </summary>
    /// <param name="childLookup">Finds a child's configuration (its rekey time sets the soft lifetime).</param>
    public static XfrmStatus TryOpen(XfrmInstallerOptions options, ILogger logger, Func<string, string, ChildConfig?>? childLookup,
        out XfrmSaInstaller? installer)
    {
        ArgumentNullException.ThrowIfNull(options);
        installer = null;
        var status = XfrmSocket.Open(options.NetworkNamespacePath, out var socket);
        if (status != XfrmStatus.Success)
        {
            return status;
        }

        XfrmSocket? events = null;
        if (options.ReceiveEvents)
        {
            status = XfrmSocket.Open(options.NetworkNamespacePath, XfrmEventGroups.Acquire | XfrmEventGroups.Expire, out events);
            if (status != XfrmStatus.Success)
            {
                socket!.Dispose();
                return status;
            }
        }

        installer = new XfrmSaInstaller(socket!, events, options, logger, childLookup);
        return XfrmStatus.Success;
    }

    /// <summary>Child SA pairs removed at open because the journal listed them (a previous run's leftovers).</summary>
    public int FlushedAtStart { get; }

    /// <summary>A snapshot of the SA pairs this instance owns.</summary>
    public IReadOnlyList<OwnedChildSa> Owned
    {
        get
        {
            lock (_lock)
            {
                return [.. _byReqId.Values.SelectMany(g => g)];
            }
        }
    }

    /// <summary>The next queued kernel event, if any (polled by the daemon side; any thread).</summary>
    public bool TryDequeueEvent(out KernelEvent kernelEvent) => _events.TryDequeue(out kernelEvent!);

    public uint Allocate(IpsecProtocol protocol, IPAddress local, IPAddress remote)
    {
        if (_options.SpiAllocation == XfrmSpiAllocation.Daemon)
        {
            return Reserve(protocol, local, remote);
        }

        lock (_io)
        {
            return AllocateCore(protocol, local, remote);
        }
    }

    /// <summary>
    /// <see cref="XfrmSpiAllocation.Daemon"/>: a random SPI in range that no SA or reservation of this installer holds,
    /// reserved without a system call. Random, not sequential: a peer must not learn how many SAs this host holds.
    /// </summary>
    private uint Reserve(IpsecProtocol protocol, IPAddress local, IPAddress remote)
    {
        var larval = new Larval(XfrmAddress.FromIPAddress(remote), XfrmAddress.FromIPAddress(local), local.AddressFamily,
            XfrmChildSa.Protocol(protocol), InKernel: false);
        // A 64-bit draw reduced into the range: the bias is at most 2^32 / 2^64.
        var span = (ulong)_options.SpiMax - _options.SpiMin + 1;
        Span<byte> bytes = stackalloc byte[8];
        lock (_lock)
        {
            if ((ulong)(_byInboundSpi.Count + _larval.Count) >= span)
            {
                throw new InvalidOperationException($"No free SPI in {_options.SpiMin:x8}-{_options.SpiMax:x8}.");
            }

            while (true)
            {
                RandomNumberGenerator.Fill(bytes);
                var spi = _options.SpiMin + (uint)(BinaryPrimitives.ReadUInt64LittleEndian(bytes) % span);
                if (!_byInboundSpi.ContainsKey(spi) && _larval.TryAdd(spi, larval))
                {
                    return spi;
                }
            }
        }
    }

    private uint AllocateCore(IpsecProtocol protocol, IPAddress local, IPAddress remote)
    {
        var family = local.AddressFamily;
        var source = XfrmAddress.FromIPAddress(remote);
        var destination = XfrmAddress.FromIPAddress(local);
        var xfrmProtocol = XfrmChildSa.Protocol(protocol);
        var status = _socket.AllocateSpi(source, destination, family, xfrmProtocol, _options.SpiMin, _options.SpiMax, out var spi);
        if (status == XfrmStatus.Success)
        {
            lock (_lock)
            {
                _larval[spi] = new Larval(source, destination, family, xfrmProtocol, InKernel: true);
            }

            return spi;
        }

        // The negotiation can go on; the install will then fail or succeed on its own. Random, not sequential: a peer
        // must not learn how many SAs this host holds.
        if (!_allocationFallbackLogged)
        {
            _logger.LogWarning("XFRM SPI allocation failed ({Status}); using random SPIs", status);
            _allocationFallbackLogged = true;
        }

        Span<byte> bytes = stackalloc byte[4];
        do
        {
            RandomNumberGenerator.Fill(bytes);
            spi = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }
        while (spi < _options.SpiMin || spi > _options.SpiMax);
        return spi;
    }

    public void Release(IpsecProtocol protocol, uint spi) => ReleaseLarval(spi, holdingIo: false);

    /// <summary>Drops a reservation; <paramref name="holdingIo"/>: the caller already holds the netlink lock.</summary>
    private void ReleaseLarval(uint spi, bool holdingIo)
    {
        Larval larval;
        lock (_lock)
        {
            if (!_larval.Remove(spi, out larval))
            {
                return;
            }
        }

        // A daemon reservation is only memory; a kernel one is a larval SA (a netlink round trip under the lock).
        if (!larval.InKernel)
        {
            return;
        }

        if (holdingIo)
        {
            DeleteLarval(spi, larval);
            return;
        }

        lock (_io)
        {
            DeleteLarval(spi, larval);
        }
    }

    private void DeleteLarval(uint spi, in Larval larval)
    {
        var status = _socket.DeleteSa(larval.Source, larval.Destination, larval.Family, larval.Protocol, spi);
        if (status is not (XfrmStatus.Success or XfrmStatus.NotFound))
        {
            _logger.LogDebug("XFRM release of larval SPI {Spi:x8}: {Status}", spi, status);
        }
    }

    public void Install(ChildSaInfo sa) => TryInstall(sa);

    /// <summary><see cref="Install"/> with its outcome (the first refusal's status; Success when all went in).</summary>
    public XfrmStatus TryInstall(ChildSaInfo sa)
    {
        lock (_io)
        {
            return TryInstallCore(sa);
        }
    }

    private XfrmStatus TryInstallCore(ChildSaInfo sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!XfrmAlgorithms.TryMap(sa, out var encryption, out var integrity))
        {
            return Fail(sa, 0, XfrmStatus.AlgorithmNotSupported,
                $"transform {SaFormat.Algorithms(sa)} has no XFRM mapping");
        }

        var outSelector = XfrmChildSa.Selector(sa, outbound: true);
        var inSelector = XfrmChildSa.Selector(sa, outbound: false);
        bool larvalInbound;
        uint reqId;
        bool newPolicies;
        lock (_lock)
        {
            // A kernel larval SA (ALLOCSPI) is replaced with UPDSA; a daemon reservation has nothing in the kernel: NEWSA.
            larvalInbound = _larval.TryGetValue(sa.InboundSpi, out var reserved) && reserved.InKernel;
            newPolicies = !_reqIdByChild.TryGetValue(ChildKey.Of(sa.Connection, sa.Child, outSelector), out reqId);
            if (newPolicies)
            {
                reqId = NextReqId();
            }
        }

        var lifetime = XfrmChildSa.Lifetime(sa, _childLookup?.Invoke(sa.Connection, sa.Child));
        var inbound = XfrmChildSa.Sa(sa, inbound: true, reqId, lifetime, encryption, integrity);
        var outbound = XfrmChildSa.Sa(sa, inbound: false, reqId, lifetime, encryption, integrity);
        var tunnel = sa.Mode == IpsecMode.Tunnel;
        Span<XfrmTemplate> outTemplate = [XfrmChildSa.Template(sa, XfrmPolicyDirection.Out, reqId)];
        Span<XfrmTemplate> inTemplate = [XfrmChildSa.Template(sa, XfrmPolicyDirection.In, reqId)];

        // The policies' indexes, drawn here when the kernel takes them (see NextPolicyIndices); 0 lets the kernel choose.
        var choose = newPolicies && _choosePolicyIndices;
        var chosen = choose ? NextPolicyIndices(tunnel) : default;

        // Order: SAs before policies, so an outbound packet never meets a policy whose SA is not there yet. Removals
        // held back (Delete) are in the batch already and go first, in the same sendmsg: a pair removed and a new one
        // with the same selectors (a peer that reconnected) meet in the kernel in that order.
        var at = _batch.Count;
        var atLength = _batch.Length;
        Span<Item> items = stackalloc Item[5];
        int count = 0;
        var queued = larvalInbound ? _batch.UpdateSa(inbound) : _batch.AddSa(inbound);
        items[count++] = Item.InboundSa;
        queued = queued == XfrmStatus.Success ? _batch.AddSa(outbound) : queued;
        items[count++] = Item.OutboundSa;
        if (newPolicies)
        {
            queued = queued == XfrmStatus.Success ? _batch.AddPolicy(Policy(outSelector, XfrmPolicyDirection.Out, outTemplate, chosen.Out)) : queued;
            items[count++] = Item.OutPolicy;
            queued = queued == XfrmStatus.Success ? _batch.AddPolicy(Policy(inSelector, XfrmPolicyDirection.In, inTemplate, chosen.In)) : queued;
            items[count++] = Item.InPolicy;
            if (tunnel)
            {
                queued = queued == XfrmStatus.Success ? _batch.AddPolicy(Policy(inSelector, XfrmPolicyDirection.Forward, inTemplate, chosen.Forward)) : queued;
                items[count++] = Item.ForwardPolicy;
            }
        }

        // Without chosen indexes (a kernel that refused one), ask for the policies just added: the answers carry the
        // kernel's index of each, which their removal names (DeletePolicy by index: no walk of the selector tree, see Remove).
        if (newPolicies && !choose && queued == XfrmStatus.Success)
        {
            queued = _batch.GetPolicy(outSelector, XfrmPolicyDirection.Out);
            queued = queued == XfrmStatus.Success ? _batch.GetPolicy(inSelector, XfrmPolicyDirection.In) : queued;
            if (tunnel)
            {
                queued = queued == XfrmStatus.Success ? _batch.GetPolicy(inSelector, XfrmPolicyDirection.Forward) : queued;
            }
        }

        if (queued != XfrmStatus.Success)
        {
            _batch.TruncateTo(at, atLength);
            SendRemovals();
            return Fail(sa, reqId, queued, "could not build the XFRM messages");
        }

        // This install's answers (and GET values) after the held removals', copied before those are completed (a
        // removal's retry by selector reuses the shared arrays).
        var total = _batch.Count - at;
        var sent = _socket.Send(_batch, _results, _values);
        Span<XfrmStatus> answers = stackalloc XfrmStatus[total];
        Span<uint> values = stackalloc uint[total];
        _results.AsSpan(at, total).CopyTo(answers);
        _values.AsSpan(at, total).CopyTo(values);
        CompleteRemovals(sent);
        var results = answers[..count];
        if (sent != XfrmStatus.Success)
        {
            // Outcome unknown (ack timeout or socket failure): remove whatever may have gone in.
            results.Fill(XfrmStatus.Success);
            RollBack(sa, items[..count], results, outSelector, inSelector);
            return Fail(sa, reqId, sent, "XFRM batch not acknowledged");
        }

        if (larvalInbound && results[0] == XfrmStatus.NotFound)
        {
            // The larval SA timed out (net.core.xfrm_acq_expires) during a slow negotiation: add instead.
            results[0] = _socket.AddSa(inbound);
        }

        var first = XfrmStatus.Success;
        foreach (var result in results)
        {
            if (result != XfrmStatus.Success)
            {
                first = result;
                break;
            }
        }

        if (first != XfrmStatus.Success)
        {
            var refused = results.ToArray();
            var outcome = string.Join(", ", items[..count].ToArray().Select((item, i) => $"{item}={refused[i]}"));
            RollBack(sa, items[..count], results, outSelector, inSelector);
            if (choose && first == XfrmStatus.InvalidArgument && PolicyRefused(items[..count], results))
            {
                // A kernel that takes no requested index (EINVAL on a policy; verify_newpolicy_info refuses an index
                // whose low three bits are not the direction): learn them with GETs from now, and install this pair
                // again that way at once (no longer choosing, so this recursion ends), so the negotiation does not fail.
                _choosePolicyIndices = false;
                _logger.LogWarning("xfrm: the kernel refused a chosen policy index ({Outcome}); learning indexes with XFRM_MSG_GETPOLICY from now",
                    outcome);
                return TryInstallCore(sa);
            }

            return Fail(sa, reqId, first, "kernel refused: " + outcome);
        }

        var owned = new OwnedChildSa(reqId, sa.Connection, sa.Child, sa.LocalAddress.AddressFamily, inbound.Protocol, inbound.Mode,
            sa.LocalAddress, sa.RemoteAddress, sa.InboundSpi, sa.OutboundSpi, outSelector);
        lock (_lock)
        {
            _larval.Remove(sa.InboundSpi);
            AddOwned(owned);
            if (newPolicies)
            {
                if (choose)
                {
                    _policyIndices[reqId] = chosen;
                }
                else
                {
                    // The answers to the GETs follow the count changing messages; a GET that failed leaves 0 (by selector).
                    var got = answers[count..];
                    var index = values[count..];
                    _policyIndices[reqId] = new PolicyIndices(
                        got[0] == XfrmStatus.Success ? index[0] : 0,
                        got[1] == XfrmStatus.Success ? index[1] : 0,
                        tunnel && got[2] == XfrmStatus.Success ? index[2] : 0);
                }
            }
        }

        _journal?.Added(owned);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            // Guarded: the argument array, the boxed numbers and the algorithm string cost an allocation per install even
            // when the level is off (`serve --log-level warning`, the race).
            _logger.LogInformation(
                "xfrm install {Connection}/{Child} {Protocol} {Mode} SPI in {SpiIn:x8} out {SpiOut:x8} reqid 0x{ReqId:x8} {Algorithms} {LocalTs} <=> {RemoteTs}{Policies}",
                sa.Connection, sa.Child, sa.Protocol, sa.Mode, sa.InboundSpi, sa.OutboundSpi, reqId, SaFormat.Algorithms(sa),
                sa.LocalTs, sa.RemoteTs, newPolicies ? "" : " (policies shared with the previous pair)");
        }
        return XfrmStatus.Success;
    }

    /// <summary>
    /// Removes the pair (and its policies with the child's last pair). With a <see
    /// cref="XfrmInstallerOptions.RemovalDelay"/> (the daemon's), the kernel messages are held back to go out in front of
    /// the next install's, in its sendmsg: under churn a handshake then costs one netlink round trip instead of two. They
    /// wait at most the delay (the daemon loop sleeps no longer, see <see cref="HeldBackFor"/>, and calls <see
    /// cref="Flush"/>), or until <see cref="MaxHeldRemovals"/> wait, or any other request on the socket. The ownership
    /// tables and the journal change at once, so a new install of the same child takes new policies, which the kernel
    /// adds after the held removals of the old ones.
    /// </summary>
    public void Delete(ChildSaInfo sa)
    {
        lock (_io)
        {
            DeleteCore(sa);
        }
    }

    /// <summary>
    /// How long held-back removals may still wait (<see cref="TimeSpan.Zero"/>: due now); null when none wait. Read by the
    /// daemon loops without the lock: a stale answer only moves one flush by a loop iteration.
    /// </summary>
    public TimeSpan? HeldBackFor
    {
        get
        {
            var since = Volatile.Read(ref _heldSince);
            if (since == 0)
            {
                return null;
            }

            var left = _options.RemovalDelay - Stopwatch.GetElapsedTime(since);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Sends held-back removals: those whose delay is over, or all of them (<paramref name="dueOnly"/> false).</summary>
    public void Flush(bool dueOnly)
    {
        if (HeldBackFor is not { } left || (dueOnly && left > TimeSpan.Zero))
        {
            return;
        }

        lock (_io)
        {
            SendRemovals();
        }
    }

    private void DeleteCore(ChildSaInfo sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        if (_disposed)
        {
            return;
        }

        OwnedChildSa? owned;
        bool last;
        lock (_lock)
        {
            last = RemoveOwned(sa.InboundSpi, out owned);
        }

        if (owned is null)
        {
            // Never installed (refused, or negotiated but not yet installed): only a larval SPI may remain.
            ReleaseLarval(sa.InboundSpi, holdingIo: true);
            return;
        }

        QueueRemoval(owned, withPolicies: last);
        if (_options.RemovalDelay <= TimeSpan.Zero)
        {
            SendRemovals();
        }
        else if (_held > 0 && Volatile.Read(ref _heldSince) == 0)
        {
            Volatile.Write(ref _heldSince, Stopwatch.GetTimestamp());
        }

        _journal?.Removed(owned.InboundSpi);
        CompactJournal();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("xfrm delete {Connection}/{Child} SPI in {SpiIn:x8} out {SpiOut:x8} reqid 0x{ReqId:x8}{Policies}",
                owned.Connection, owned.Child, owned.InboundSpi, owned.OutboundSpi, owned.ReqId, last ? " and its policies" : "");
        }
    }

    public void UpdateEncapsulation(ChildSaInfo sa, int localPort, int remotePort) => TryUpdateEncapsulation(sa, localPort, remotePort);

    /// <summary>
    /// <see cref="UpdateEncapsulation"/> with its outcome: XFRM_MSG_UPDSA for the inbound and the outbound SA with the
    /// new ESP-in-UDP ports (one batch). NotFound when the pair is not ours.
    /// </summary>
    public XfrmStatus TryUpdateEncapsulation(ChildSaInfo sa, int localPort, int remotePort)
    {
        lock (_io)
        {
            return TryUpdateEncapsulationCore(sa, localPort, remotePort);
        }
    }

    private XfrmStatus TryUpdateEncapsulationCore(ChildSaInfo sa, int localPort, int remotePort)
    {
        ArgumentNullException.ThrowIfNull(sa);
        ObjectDisposedException.ThrowIf(_disposed, this);
        OwnedChildSa? owned;
        lock (_lock)
        {
            _byInboundSpi.TryGetValue(sa.InboundSpi, out owned);
        }

        if (owned is null || !XfrmAlgorithms.TryMap(sa, out var encryption, out var integrity))
        {
            return XfrmStatus.NotFound;
        }

        var lifetime = XfrmChildSa.Lifetime(sa, _childLookup?.Invoke(sa.Connection, sa.Child));
        var inbound = XfrmChildSa.WithEncapsulation(XfrmChildSa.Sa(sa, inbound: true, owned.ReqId, lifetime, encryption, integrity),
            inbound: true, localPort, remotePort);
        var outbound = XfrmChildSa.WithEncapsulation(XfrmChildSa.Sa(sa, inbound: false, owned.ReqId, lifetime, encryption, integrity),
            inbound: false, localPort, remotePort);
        SendRemovals();
        var queued = _batch.UpdateSa(inbound);
        queued = queued == XfrmStatus.Success ? _batch.UpdateSa(outbound) : queued;
        var sent = queued == XfrmStatus.Success ? _socket.Send(_batch, _results) : queued;
        var status = sent != XfrmStatus.Success ? sent : _results[0] != XfrmStatus.Success ? _results[0] : _results[1];
        _logger.LogInformation("xfrm update {Connection}/{Child} SPI in {SpiIn:x8} out {SpiOut:x8}: ESP-in-UDP {Local} <=> {Remote}: {Status}",
            sa.Connection, sa.Child, sa.InboundSpi, sa.OutboundSpi, localPort, remotePort, status);
        return status;
    }

    /// <summary>Removes every SA and policy this instance owns (shutdown). Returns the number of pairs removed.</summary>
    public int FlushOwned()
    {
        lock (_io)
        {
            return FlushOwnedCore();
        }
    }

    private int FlushOwnedCore()
    {
        List<OwnedChildSa> all;
        lock (_lock)
        {
            all = [.. _byReqId.Values.SelectMany(g => g)];
            _byReqId.Clear();
            _byInboundSpi.Clear();
            _reqIdByChild.Clear();
        }

        var seen = new HashSet<uint>();
        foreach (var owned in all)
        {
            QueueRemoval(owned, withPolicies: seen.Add(owned.ReqId));
        }

        SendRemovals();
        List<(uint Spi, Larval Larval)> larval;
        lock (_lock)
        {
            larval = [.. _larval.Select(l => (l.Key, l.Value))];
            _larval.Clear();
        }

        foreach (var (spi, l) in larval)
        {
            if (l.InKernel)
            {
                _socket.DeleteSa(l.Source, l.Destination, l.Family, l.Protocol, spi);
            }
        }

        _journal?.Rewrite([]);
        return all.Count;
    }

    /// <summary>Draws policy indexes as an install does (tests: iproute2 adds policies with them, then <see
    /// cref="Adopt(OwnedChildSa, uint, uint, uint)"/>).</summary>
    internal (uint Out, uint In, uint Forward) DrawPolicyIndices(bool forward)
    {
        lock (_io)
        {
            var i = NextPolicyIndices(forward);
            return (i.Out, i.In, i.Forward);
        }
    }

    /// <summary>Takes ownership of state installed by other means whose policies carry indexes drawn with <see
    /// cref="DrawPolicyIndices"/> (tests, on a kernel without ESP: the policies of an install with chosen indexes).</summary>
    internal void Adopt(OwnedChildSa owned, uint outIndex, uint inIndex, uint forwardIndex)
    {
        lock (_lock)
        {
            AddOwned(owned);
            _policyIndices[owned.ReqId] = new PolicyIndices(outIndex, inIndex, forwardIndex);
        }

        _journal?.Added(owned);
    }

    /// <summary>Takes ownership of state installed by other means (tests: policies added with iproute2 on a kernel
    /// without ESP support stand in for an installed pair).</summary>
    internal void Adopt(OwnedChildSa owned)
    {
        // The policies' indices, as an install learns them (its removal then goes by index, like an installed pair's).
        PolicyIndices indices = default;
        lock (_io)
        {
            SendRemovals();
            _batch.GetPolicy(owned.OutSelector, XfrmPolicyDirection.Out);
            _batch.GetPolicy(owned.InSelector, XfrmPolicyDirection.In);
            _batch.GetPolicy(owned.InSelector, XfrmPolicyDirection.Forward);
            if (_socket.Send(_batch, _results, _values) == XfrmStatus.Success)
            {
                uint Index(int i) => _results[i] == XfrmStatus.Success ? _values[i] : 0;
                indices = new PolicyIndices(Index(0), Index(1), owned.HasForwardPolicy ? Index(2) : 0);
            }
        }

        lock (_lock)
        {
            AddOwned(owned);
            _policyIndices[owned.ReqId] = indices;
        }

        _journal?.Added(owned);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _stopping = true;
        _eventThread?.Join();
        var flushed = FlushOwned();
        if (flushed > 0)
        {
            _logger.LogInformation("xfrm: removed {Count} IPsec SA pair(s) and their policies at shutdown", flushed);
        }

        // Nothing is owned any more: a clean stop leaves no journal behind (a crash leaves it for the next start).
        _journal?.Delete();

        _disposed = true;
        _batch.Dispose();
        _eventSocket?.Dispose();
        _socket.Dispose();
    }

    private int FlushStale()
    {
        if (_journal is null)
        {
            return 0;
        }

        var stale = _journal.Load();
        var seen = new HashSet<uint>();
        foreach (var owned in stale)
        {
            QueueRemoval(owned, withPolicies: seen.Add(owned.ReqId));
        }

        SendRemovals();

        if (stale.Count > 0)
        {
            _logger.LogInformation("xfrm: removed {Count} stale IPsec SA pair(s) left by a previous run (journal {Path})",
                stale.Count, _journal.Path);
        }

        _journal.Rewrite([]);
        return stale.Count;
    }

    /// <summary>
    /// Deletes an owned pair (and its policies); "not found" is fine (hard-expired SAs are already gone).
    /// <para>
    /// Policies go by their index where the install chose (or learnt) it. Linux keeps policies whose selectors are not
    /// host-to-host (10.0.0.0/16 &lt;=&gt; a peer's /32, the usual concentrator shape) in a tree of prefixes, and every
    /// delete by selector (xfrm_policy_bysel_ctx) prunes that whole tree, visiting every node: about 9 us per delete
    /// with 240 peers in bench/race.sh, 28 us of the 3 policies' removal per handshake, growing with the peer count. A
    /// delete by index (xfrm_policy_byid) finds the policy in the index hash and prunes nothing; the empty nodes it
    /// leaves are reused by the next policy with the same prefixes, and one removal in <see cref="PruneEvery"/>, or in as
    /// many as there are live children when more, goes by selector so that nodes of peers gone for good are freed too. A
    /// prune walks the whole tree, O(live policies): spacing prunes by the live count keeps their cost per removal O(1)
    /// (a fixed 1 in 64 cost 1.9 us per handshake with 240 peers in bench/race.sh, as much as all the deletes by index,
    /// and would grow with the peers), while the empty nodes left between prunes stay fewer than the live children's.
    /// </para>
    /// </summary>
    private void QueueRemoval(OwnedChildSa owned, bool withPolicies)
    {
        if (_held == _heldRemovals.Length)
        {
            SendRemovals();
        }

        // The batch holds only held removals here (every other request sends them first).
        var first = _batch.Count;
        var local = XfrmAddress.FromIPAddress(owned.Local);
        var remote = XfrmAddress.FromIPAddress(owned.Remote);
        _batch.DeleteSa(remote, local, owned.Family, owned.Protocol, owned.InboundSpi);
        _batch.DeleteSa(local, remote, owned.Family, owned.Protocol, owned.OutboundSpi);
        PolicyIndices indices = default;
        var prune = false;
        if (withPolicies)
        {
            int live;
            lock (_lock)
            {
                _policyIndices.Remove(owned.ReqId, out indices);
                live = _byReqId.Count;
            }

            prune = ++_policyRemovals >= Math.Max(PruneEvery, live);
            if (prune)
            {
                _policyRemovals = 0;
            }

            DeletePolicy(owned.OutSelector, XfrmPolicyDirection.Out, prune ? 0 : indices.Out);
            DeletePolicy(owned.InSelector, XfrmPolicyDirection.In, prune ? 0 : indices.In);
            if (owned.HasForwardPolicy)
            {
                DeletePolicy(owned.InSelector, XfrmPolicyDirection.Forward, prune ? 0 : indices.Forward);
            }
        }

        _heldRemovals[_held++] = new HeldRemoval(owned, first, _batch.Count - first, withPolicies && !prune ? indices : default);
    }

    /// <summary>Sends the held removals (alone) and completes them.</summary>
    private void SendRemovals()
    {
        if (_held > 0)
        {
            CompleteRemovals(_socket.Send(_batch, _results));
        }
    }

    /// <summary>
    /// After the send that carried the held removals (their answers first in <c>_results</c>): logs refusals, and
    /// removes by selector a policy its index did not find (the kernel gave it another: a chosen index that was taken is
    /// replaced silently, see <see cref="NextPolicyIndices"/>; "not found" again is fine: already gone).
    /// </summary>
    private void CompleteRemovals(XfrmStatus sent)
    {
        var held = _held;
        _held = 0;
        Volatile.Write(ref _heldSince, 0);
        if (held == 0)
        {
            return;
        }

        // The batch is empty after a send (either way): retries go into it while the answers are read.
        for (int r = 0; r < held; r++)
        {
            ref var removal = ref _heldRemovals[r];
            var owned = removal.Owned;
            if (sent != XfrmStatus.Success)
            {
                _logger.LogWarning("xfrm removal of reqid 0x{ReqId:x8} not acknowledged: {Status}", owned.ReqId, sent);
                removal = default;
                continue;
            }

            var answers = _results.AsSpan(removal.First, removal.Count);
            for (int i = 0; i < answers.Length; i++)
            {
                if (answers[i] is not (XfrmStatus.Success or XfrmStatus.NotFound))
                {
                    _logger.LogWarning("xfrm removal of reqid 0x{ReqId:x8}, message {Index}: {Status}", owned.ReqId, i, answers[i]);
                }
            }

            var indices = removal.Indices;
            if (NotFoundByIndex(answers, 2, indices.Out))
            {
                _batch.DeletePolicy(owned.OutSelector, XfrmPolicyDirection.Out);
            }

            if (NotFoundByIndex(answers, 3, indices.In))
            {
                _batch.DeletePolicy(owned.InSelector, XfrmPolicyDirection.In);
            }

            if (NotFoundByIndex(answers, 4, indices.Forward))
            {
                _batch.DeletePolicy(owned.InSelector, XfrmPolicyDirection.Forward);
            }

            removal = default;
        }

        if (_batch.Count > 0)
        {
            _socket.Send(_batch, _results);
        }

        static bool NotFoundByIndex(ReadOnlySpan<XfrmStatus> answers, int i, uint index) =>
            index != 0 && i < answers.Length && answers[i] == XfrmStatus.NotFound;
    }

    /// <summary>One policy removal into the batch: by the kernel's index when known (not 0), else by selector.</summary>
    private void DeletePolicy(in XfrmSelector selector, XfrmPolicyDirection direction, uint index)
    {
        if (index != 0)
        {
            _batch.DeletePolicy(index, direction);
        }
        else
        {
            _batch.DeletePolicy(selector, direction);
        }
    }

    /// <summary>Undoes the messages of a failed install batch that the kernel accepted.</summary>
    private void RollBack(ChildSaInfo sa, ReadOnlySpan<Item> items, ReadOnlySpan<XfrmStatus> results, in XfrmSelector outSelector,
        in XfrmSelector inSelector)
    {
        var family = sa.LocalAddress.AddressFamily;
        var local = XfrmAddress.FromIPAddress(sa.LocalAddress);
        var remote = XfrmAddress.FromIPAddress(sa.RemoteAddress);
        var protocol = XfrmChildSa.Protocol(sa.Protocol);
        var accepted = results;
        int count = 0;
        for (int i = 0; i < items.Length; i++)
        {
            if (accepted[i] != XfrmStatus.Success)
            {
                continue;
            }

            count++;
            _ = items[i] switch
            {
                Item.InboundSa => _batch.DeleteSa(remote, local, family, protocol, sa.InboundSpi),
                Item.OutboundSa => _batch.DeleteSa(local, remote, family, protocol, sa.OutboundSpi),
                Item.OutPolicy => _batch.DeletePolicy(outSelector, XfrmPolicyDirection.Out),
                Item.InPolicy => _batch.DeletePolicy(inSelector, XfrmPolicyDirection.In),
                _ => _batch.DeletePolicy(inSelector, XfrmPolicyDirection.Forward),
            };
        }

        if (count > 0)
        {
            var sent = _socket.Send(_batch, _results);
            _logger.LogDebug("xfrm rollback of {Count} message(s) for {Connection}/{Child}: {Status}", count, sa.Connection,
                sa.Child, sent);
        }
    }

    private XfrmStatus Fail(ChildSaInfo sa, uint reqId, XfrmStatus status, string why)
    {
        _logger.LogError("xfrm install {Connection}/{Child} SPI in {SpiIn:x8} out {SpiOut:x8} failed: {Status} ({Why})",
            sa.Connection, sa.Child, sa.InboundSpi, sa.OutboundSpi, status, why);
        _events.Enqueue(new KernelEvent(KernelEventKind.InstallFailed, reqId, sa.InboundSpi, XfrmChildSa.Protocol(sa.Protocol),
            sa.Connection, sa.Child, sa.InboundSpi, Inbound: true, status));
        return status;
    }

    private static XfrmPolicyParameters Policy(in XfrmSelector selector, XfrmPolicyDirection direction,
        ReadOnlySpan<XfrmTemplate> templates, uint index = 0) => new()
    {
        Selector = selector,
        Direction = direction,
        Index = index,
        Action = XfrmPolicyAction.Allow,
        Priority = XfrmChildSa.Priority(selector),
        Templates = templates,
    };

    /// <summary>
    /// Draws a child's policy indexes (called under <c>_io</c>, which every install holds). Linux takes an index user
    /// space passes in XFRM_MSG_NEWPOLICY (xfrm_policy_insert -> xfrm_gen_index) when its low three bits are the
    /// policy's direction (xfrm_user.c verify_newpolicy_info: EINVAL otherwise) and no policy holds it yet; a taken
    /// index is silently replaced with a generated one. The kernel generates <c>generator | dir</c> from 8 upwards, 8
    /// per policy it numbers, so ours come from the upper half (0x80000000 and above, out of its reach for 2^28
    /// policies), one slot of 8 per child with out = slot|1, in = slot|0, fwd = slot|2, from a random first slot per
    /// instance (two instances or a previous run's leftovers rarely meet). Knowing the index saves the GETPOLICY
    /// round trips of each install; removal deletes by it (see <see cref="QueueRemoval"/>).
    /// </summary>
    private PolicyIndices NextPolicyIndices(bool forward)
    {
        var slot = _nextPolicySlot++ & SlotMask;
        var index = PolicyIndexBase | (slot << 3);
        var misdirect = _misdirect;
        return new PolicyIndices(index | ((uint)XfrmPolicyDirection.Out ^ misdirect), index | ((uint)XfrmPolicyDirection.In ^ misdirect),
            forward ? index | ((uint)XfrmPolicyDirection.Forward ^ misdirect) : 0);
    }

    private static bool PolicyRefused(ReadOnlySpan<Item> items, ReadOnlySpan<XfrmStatus> results)
    {
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i] is Item.OutPolicy or Item.InPolicy or Item.ForwardPolicy && results[i] == XfrmStatus.InvalidArgument)
            {
                return true;
            }
        }

        return false;
    }

    private uint NextReqId()
    {
        // Called under _lock. 65535 live children per daemon is far beyond one host's needs.
        for (int tries = 0; tries < 0xffff; tries++)
        {
            _lastReqId = _lastReqId % 0xffff + 1;
            var candidate = XfrmOwnership.ReqIdBase + _lastReqId;
            if (!_byReqId.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No free reqid in IkeFast's range.");
    }

    /// <summary>Under _lock.</summary>
    private void AddOwned(OwnedChildSa owned)
    {
        if (!_byReqId.TryGetValue(owned.ReqId, out var group))
        {
            _byReqId[owned.ReqId] = group = [];
            _reqIdByChild[ChildKey.Of(owned.Connection, owned.Child, owned.OutSelector)] = owned.ReqId;
        }

        group.Add(owned);
        _byInboundSpi[owned.InboundSpi] = owned;
    }

    /// <summary>Under _lock. True when it was the last pair of its reqid (its policies go too).</summary>
    private bool RemoveOwned(uint inboundSpi, out OwnedChildSa? owned)
    {
        if (!_byInboundSpi.Remove(inboundSpi, out owned))
        {
            return false;
        }

        var group = _byReqId[owned.ReqId];
        group.Remove(owned);
        if (group.Count > 0)
        {
            return false;
        }

        _byReqId.Remove(owned.ReqId);
        _reqIdByChild.Remove(ChildKey.Of(owned.Connection, owned.Child, owned.OutSelector));
        return true;
    }

    /// <summary>Rewrites the append-only journal once removals dominate it (<see cref="JournalNeedsCompaction"/>).</summary>
    private void CompactJournal()
    {
        if (_journal is not null && JournalNeedsCompaction(_journal.Lines, _byInboundSpi.Count))
        {
            _journal.Rewrite(Owned);
        }
    }

    /// <summary>
    /// True when a journal of <paramref name="lines"/> lines (since its last rewrite) should be rewritten with its
    /// <paramref name="live"/> entries: beyond four lines per live pair and a fixed slack of <see cref="JournalSlack"/>.
    /// </summary>
    internal static bool JournalNeedsCompaction(int lines, int live) => lines > JournalSlack + (4 * live);

    private void ReceiveEvents()
    {
        while (!_stopping)
        {
            var status = _eventSocket!.TryReceiveEvent(EventWaitMilliseconds, out var e);
            switch (status)
            {
                case XfrmStatus.Success:
                    Map(e);
                    break;
                case XfrmStatus.NoEvent:
                    break;
                case XfrmStatus.EventsLost:
                    _events.Enqueue(new KernelEvent(KernelEventKind.EventsLost, 0, 0, XfrmProtocol.Esp, null, null, 0, false,
                        status));
                    break;
                default:
                    _logger.LogWarning("xfrm event socket: {Status}", status);
                    Thread.Sleep(EventWaitMilliseconds);
                    break;
            }
        }
    }

    private void Map(in XfrmEvent e)
    {
        // Only IkeFast's reqids: larval SAs from ALLOCSPI (reqid 0) expire routinely, other daemons' SAs are theirs.
        if (!XfrmOwnership.IsOwnedReqId(e.ReqId))
        {
            return;
        }

        var spi = e.Spi;
        OwnedChildSa? owner = null;
        bool inbound = false;
        bool superseded = false;
        lock (_lock)
        {
            if (_byReqId.TryGetValue(e.ReqId, out var group))
            {
                owner = e.Kind == XfrmEventKind.Acquire
                    ? group[^1]
                    : group.Find(o => o.InboundSpi == spi || o.OutboundSpi == spi);
                inbound = owner is not null && owner.InboundSpi == spi;
                superseded = owner is not null && !ReferenceEquals(owner, group[^1]);
            }
        }

        var kind = e.Kind switch
        {
            XfrmEventKind.Acquire => KernelEventKind.Acquire,
            XfrmEventKind.SoftExpire => KernelEventKind.SoftExpire,
            _ => KernelEventKind.HardExpire,
        };
        _events.Enqueue(new KernelEvent(kind, e.ReqId, e.Spi, e.Protocol, owner?.Connection, owner?.Child,
            owner?.InboundSpi ?? 0, inbound, XfrmStatus.Success, superseded));
    }

    /// <summary>What makes two SA pairs the same child (sharing reqid and policies).</summary>
    private readonly record struct ChildKey(string Connection, string Child, XfrmAddress Source, XfrmAddress Destination,
        byte SourcePrefix, byte DestinationPrefix, ushort SourcePort, ushort DestinationPort, byte Protocol)
    {
        public static ChildKey Of(string connection, string child, in XfrmSelector s) => new(connection, child, s.Source,
            s.Destination, s.SourcePrefixLength, s.DestinationPrefixLength, s.SourcePort, s.DestinationPort, s.Protocol);
    }

    /// <summary>
    /// A removal whose messages wait in the batch: its first message and their count (2 SAs, then the out, in, fwd
    /// policies), and the indexes its policies were removed by (0 = by selector).
    /// </summary>
    private record struct HeldRemoval(OwnedChildSa Owned, int First, int Count, PolicyIndices Indices);

    /// <summary>The kernel's indices of a child's out, in and (tunnel mode) forward policies; 0 = unknown.</summary>
    private readonly record struct PolicyIndices(uint Out, uint In, uint Forward);

    /// <summary>A reserved inbound SPI not installed yet: a larval SA in the kernel (ALLOCSPI) or a daemon reservation.</summary>
    private readonly record struct Larval(XfrmAddress Source, XfrmAddress Destination, AddressFamily Family, XfrmProtocol Protocol,
        bool InKernel);

    private enum Item : byte
    {
        InboundSa,
        OutboundSa,
        OutPolicy,
        InPolicy,
        ForwardPolicy,
    }
}
