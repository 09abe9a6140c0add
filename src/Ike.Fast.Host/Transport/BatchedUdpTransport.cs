using System.Net;
using Ike.Fast.Host.Admission;
using Ike.Fast.Host.Sharding;
using Ike.Native.Udp;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Transport;

/// <summary>
/// One shard's view of the network with batched system calls (Linux, native/src/udp_batch.c): recvmmsg fills up to
/// <c>daemon.batch_size</c> datagrams into a pinned slab, sendmmsg sends what the engine produced since the last
/// receive, and the local address comes from IP_PKTINFO/IPV6_PKTINFO. Nothing is allocated per datagram once the
/// peers' endpoints are cached (<see cref="EndPointCache"/>).
/// <para>
/// Receiving: with SO_REUSEPORT (<see cref="SteeringMode.ReusePort"/>) the shard reads its own sockets, which the
/// kernel's address-steering program fills with the datagrams of this shard's peers; a datagram of another shard's
/// peer (no program attached) is copied into that shard's inbox. Either way a datagram whose cookies name no SA of
/// this shard (<see cref="OwnsSa"/>: the peer's address changed, so it hashes here now) is passed on to the shards its
/// cookies name (<see cref="ShardSteering"/>), once; a passed-on datagram the shard does not own either is dropped.
/// With <see cref="SteeringMode.Dispatcher"/> the shard reads only its inbox, filled by <see cref="ShardDispatcher"/>,
/// and sends on the dispatcher's sockets (sendmmsg on a shared UDP socket is safe from several threads). Within a received batch, existing peers' datagrams are handed to the engine
/// before new Phase 1s (<see cref="IsakmpClassifier"/>), and a full batch marks the shard as behind
/// (<see cref="IsBehind"/>) so admission control refuses new peers first.
/// </para>
/// One thread only (the shard's loop), except <see cref="ShardInbox"/> producers.
/// </summary>
internal sealed unsafe class BatchedUdpTransport : IDatagramTransport, ITransportBacklog, IWakeableTransport
{
    private readonly int _shard;
    private readonly int _shardCount;
    private readonly UdpSocketSet _sockets;
    private readonly bool _ownsSockets;
    private readonly bool _receiveSockets;
    private readonly ShardInbox _inbox;
    private readonly IReadOnlyList<ShardInbox> _inboxes;
    private readonly ILogger _logger;
    private readonly int _batch;
    private readonly int _slotSize;
    private readonly byte[] _receiveSlab;
    private readonly UdpSlot[] _receiveSlots;
    private readonly int[] _order;
    private readonly byte[] _sendSlab;
    private readonly UdpSlot[] _sendSlots;
    private readonly int[] _waitDescriptors;
    private readonly EndPointCache _endPoints = new();
    private readonly IPEndPoint[] _bound;
    private int _received;
    private int _next;
    private int _receiveSocket;
    private int _roundRobin;
    private int _pendingSends;
    private int _sendSocket = -1;
    private bool _lastBatchFull;
    private int _behindChecked;

    /// <summary>Receive queue fill (thousandths of SO_RCVBUF) above which the shard counts as behind.</summary>
    private const int BehindPermille = 500;

    public BatchedUdpTransport(int shard, int shardCount, UdpSocketSet sockets, bool ownsSockets, bool receiveSockets,
        IReadOnlyList<ShardInbox> inboxes, int batchSize, int maxDatagram, ILogger logger)
    {
        _shard = shard;
        _shardCount = shardCount;
        _sockets = sockets;
        _ownsSockets = ownsSockets;
        _receiveSockets = receiveSockets;
        _inboxes = inboxes;
        _inbox = inboxes[shard];
        _logger = logger;
        _batch = Math.Clamp(batchSize, 1, UdpBatch.MaxBatch);
        _slotSize = maxDatagram;
        _receiveSlab = GC.AllocateUninitializedArray<byte>(_batch * _slotSize, pinned: true);
        _sendSlab = GC.AllocateUninitializedArray<byte>(_batch * _slotSize, pinned: true);
        _receiveSlots = GC.AllocateArray<UdpSlot>(_batch, pinned: true);
        _sendSlots = GC.AllocateArray<UdpSlot>(_batch, pinned: true);
        _order = new int[_batch];
        var receiveBase = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _receiveSlab[0]);
        var sendBase = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _sendSlab[0]);
        for (var i = 0; i < _batch; i++)
        {
            _receiveSlots[i].Buffer = receiveBase + (i * _slotSize);
            _receiveSlots[i].Capacity = _slotSize;
            _sendSlots[i].Buffer = sendBase + (i * _slotSize);
            _sendSlots[i].Capacity = _slotSize;
        }

        _bound = [.. sockets.LocalEndPoints];
        var waits = new List<int>();
        if (receiveSockets)
        {
            waits.AddRange(sockets.Descriptors);
        }

        if (_inbox.WakeDescriptor >= 0)
        {
            waits.Add(_inbox.WakeDescriptor);
        }

        _waitDescriptors = [.. waits];
    }

    public IReadOnlyList<IPEndPoint> LocalEndPoints => _bound;

    /// <inheritdoc/>
    public Func<bool>? PendingWork { get; set; }

    /// <inheritdoc/>
    public void Wake() => _inbox.WakeIfSleeping();

    /// <summary>
    /// Behind = the kernel's receive queue is more than half full (SO_MEMINFO, asked at most once per received batch
    /// and only when admission control asks, i.e. for a new Phase 1), or the inbox is: datagrams would soon be dropped
    /// without regard to who sent them. A full batch alone is normal under load and does not count.
    /// </summary>
    public bool IsBehind
    {
        get
        {
            if (_inbox.Count > _inbox.Capacity / 2)
            {
                return true;
            }

            if (!_receiveSockets || !_lastBatchFull)
            {
                return false;
            }

            if (_behindChecked == 0)
            {
                _behindChecked = UdpBatch.ReceiveQueueFill(_sockets.Descriptors[_receiveSocket]) > BehindPermille ? 2 : 1;
            }

            return _behindChecked == 2;
        }
    }

    /// <summary>The daemon's address-steering seed (<see cref="ShardSteering.ShardOfAddress(ReadOnlySpan{byte}, int, ulong)"/>).</summary>
    public ulong SteeringSeed { get; init; }

    /// <summary>Datagrams this shard received for another and forwarded to its inbox.</summary>
    public long Forwarded { get; private set; }

    /// <summary>
    /// Whether this shard's engine has an SA with these cookies (<c>Endpoint.HasSa</c>), asked on the shard's own thread
    /// for every datagram that names both cookies when there are several shards; null = every datagram is this shard's.
    /// </summary>
    public Func<ulong, ulong, bool>? OwnsSa { get; set; }

    /// <summary>Datagrams of an SA another shard owns (a peer whose address changed), passed on by their cookies.</summary>
    public long PassedOn { get; private set; }

    /// <summary>
    /// Datagrams passed on to this shard for an SA it does not own either, dropped: stale or forged cookies, and (once
    /// in 256 SAs, with more than two shards) the copy sent to the shard named by a peer's cookie that carries our mark.
    /// </summary>
    public long UnownedDropped { get; private set; }

    /// <summary>recvmmsg / sendmmsg calls made (batch fill = datagrams / calls).</summary>
    public long ReceiveCalls { get; private set; }

    public long SendCalls { get; private set; }

    public long DatagramsSent { get; private set; }

    public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out ReceivedDatagram datagram)
    {
        // Replies wait in the send batch while the received batch lasts; they leave (one sendmmsg) before the next
        // receive system call.
        if (TryNext(buffer, fill: false, out datagram))
        {
            return true;
        }

        Flush();
        if (TryNext(buffer, fill: true, out datagram))
        {
            return true;
        }

        // Nothing queued: sleep in poll(2) on the sockets and the inbox's eventfd, then look once more.
        var ms = (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 0, int.MaxValue);
        if (ms > 0)
        {
            _inbox.PrepareToSleep();
            if (_inbox.IsEmpty && PendingWork?.Invoke() != true)
            {
                UdpBatch.Wait(_waitDescriptors, ms, out _);
            }

            _inbox.Awake();
        }

        return TryNext(buffer, fill: true, out datagram);
    }

    private bool TryNext(Span<byte> buffer, bool fill, out ReceivedDatagram datagram)
    {
        while (true)
        {
            if (_next < _received)
            {
                ref var slot = ref _receiveSlots[_order[_next++]];
                var length = Math.Min(slot.Length, buffer.Length);
                new ReadOnlySpan<byte>(slot.Buffer, length).CopyTo(buffer);
                datagram = new ReceivedDatagram(length, LocalOf(ref slot, _receiveSocket), _endPoints.Get(ref slot.Remote, slot.Family, slot.RemotePort, slot.ScopeId));
                return true;
            }

            if (_inbox.TryDequeue(buffer, out var inboxLength, out var local, out var remote, out var passedOn))
            {
                if (PassedOnOrDropped(buffer[..inboxLength], local, remote, passedOn))
                {
                    continue;
                }

                datagram = new ReceivedDatagram(inboxLength, local, remote);
                return true;
            }

            if (!fill || !_receiveSockets || !Fill())
            {
                datagram = default;
                return false;
            }
        }
    }

    /// <summary>One recvmmsg on the next socket with data (round robin so a busy socket cannot starve the others).</summary>
    private bool Fill()
    {
        _received = _next = 0;
        _lastBatchFull = false;
        _behindChecked = 0;
        var count = _sockets.Count;
        for (var i = 0; i < count; i++)
        {
            var index = (_roundRobin + i) % count;
            var n = UdpBatch.Receive(_sockets.Descriptors[index], _receiveSlots.AsSpan(0, _batch));
            if (n <= 0)
            {
                continue;
            }

            ReceiveCalls++;
            _roundRobin = (index + 1) % count;
            _receiveSocket = index;
            _lastBatchFull = n == _batch;
            Order(n, index);
            if (_received > 0)
            {
                return true;
            }
        }

        return _received > 0;
    }

    /// <summary>Existing peers first, then new Phase 1s; datagrams of other shards forwarded to their inboxes.</summary>
    private void Order(int n, int socket)
    {
        var natTraversal = _bound[socket].Port == UdpSocketSet.NatTraversalPort;
        var kept = 0;
        Span<bool> isNew = stackalloc bool[n];
        for (var i = 0; i < n; i++)
        {
            ref var slot = ref _receiveSlots[i];
            var payload = new ReadOnlySpan<byte>(slot.Buffer, slot.Length);
            if (slot.Flags != 0)
            {
                _logger.LogDebug("datagram of more than {Size} bytes truncated, dropped", _slotSize);
                isNew[i] = true;
                slot.Length = -1;
                continue;
            }

            if (_shardCount > 1)
            {
                var owner = ShardSteering.ShardOfSource(ref slot, _shardCount, SteeringSeed);
                var remote = _endPoints.Get(ref slot.Remote, slot.Family, slot.RemotePort, slot.ScopeId);
                if (owner != _shard)
                {
                    // The kernel did not steer it (no program attached): to the shard of the peer's address.
                    if (Enqueue(owner, payload, LocalOf(ref slot, socket), remote, passedOn: false))
                    {
                        Forwarded++;
                    }

                    slot.Length = -1;
                    continue;
                }

                if (PassedOnOrDropped(payload, LocalOf(ref slot, socket), remote, passedOn: false))
                {
                    slot.Length = -1;
                    continue;
                }
            }

            var ike = natTraversal && payload.Length >= ShardSteering.NonEspMarkerLength ? payload[ShardSteering.NonEspMarkerLength..] : payload;
            isNew[i] = IsakmpClassifier.Classify(ike) == DatagramKind.NewPhase1;
            if (!isNew[i])
            {
                _order[kept++] = i;
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (isNew[i] && _receiveSlots[i].Length >= 0)
            {
                _order[kept++] = i;
            }
        }

        _received = kept;
        _next = 0;
    }

    /// <summary>
    /// True when the datagram is not for this shard's engine: it names an SA (both cookies) this shard does not have.
    /// Received from the peer's address hash, it goes to the shard its marked cookie names (the SA's creator shaped and
    /// marked its cookie, <see cref="ShardSteering.IsShaped"/>; the other cookie is the peer's, random), or to both
    /// named shards when both or neither carry the mark; never back here; passed on already, it is dropped.
    /// When both cookies name this shard the engine gets it (an unknown SA, counted there).
    /// </summary>
    private bool PassedOnOrDropped(ReadOnlySpan<byte> payload, IPEndPoint local, IPEndPoint remote, bool passedOn)
    {
        if (_shardCount <= 1 || OwnsSa is not { } owns
            || !ShardSteering.TryReadCookies(payload, local.Port == UdpSocketSet.NatTraversalPort, out var initiator, out var responder)
            || responder == 0 || owns(initiator, responder))
        {
            return false;
        }

        if (passedOn)
        {
            UnownedDropped++;
            return true;
        }

        // The SA's creator marked its own cookie: when exactly one is marked, only the shard it names can own the SA.
        var initiatorMarked = ShardSteering.IsShaped(initiator, SteeringSeed);
        var responderMarked = ShardSteering.IsShaped(responder, SteeringSeed);
        var first = ShardSteering.ShardOf(initiatorMarked || !responderMarked ? initiator : responder, _shardCount);
        var second = initiatorMarked == responderMarked ? ShardSteering.ShardOf(responder, _shardCount) : first;
        if (first == _shard && second == _shard)
        {
            return false;
        }

        if (first != _shard)
        {
            Enqueue(first, payload, local, remote, passedOn: true);
        }

        if (second != _shard && second != first)
        {
            Enqueue(second, payload, local, remote, passedOn: true);
        }

        PassedOn++;
        return true;
    }

    private bool Enqueue(int shard, ReadOnlySpan<byte> payload, IPEndPoint local, IPEndPoint remote, bool passedOn)
    {
        var target = _inboxes[shard];
        if (!target.TryEnqueue(payload, local, remote, passedOn))
        {
            return false;
        }

        target.WakeIfSleeping();
        return true;
    }

    private IPEndPoint LocalOf(ref UdpSlot slot, int socket) => _sockets.IsWildcard[socket]
        ? _endPoints.Get(ref slot.Local, slot.Family, _bound[socket].Port, 0)
        : _bound[socket];

    public IPEndPoint Send(ReadOnlySpan<byte> datagram, IPEndPoint local, IPEndPoint remote)
    {
        var socket = _sockets.SocketFor(local, remote);
        if (datagram.Length > _slotSize)
        {
            _logger.LogWarning("send {Length} bytes to {Remote}: larger than the {Size}-byte slot, dropped", datagram.Length, remote, _slotSize);
            return local;
        }

        if (_pendingSends == _batch || (_pendingSends > 0 && socket != _sendSocket))
        {
            Flush();
        }

        _sendSocket = socket;
        ref var slot = ref _sendSlots[_pendingSends++];
        datagram.CopyTo(new Span<byte>(slot.Buffer, _slotSize));
        slot.Length = datagram.Length;
        slot.Family = (ushort)(remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4);
        slot.RemotePort = (ushort)remote.Port;
        slot.ScopeId = slot.Family == 6 ? (uint)remote.Address.ScopeId : 0;
        remote.Address.TryWriteBytes(slot.Remote, out _);
        ((Span<byte>)slot.Local).Clear();
        if (_sockets.IsWildcard[socket] && local.AddressFamily == remote.AddressFamily)
        {
            // The reply leaves from the address the peer sent to (IP_PKTINFO source on a wildcard socket).
            local.Address.TryWriteBytes(slot.Local, out _);
        }

        return _sockets.IsWildcard[socket] ? local : _bound[socket];
    }

    /// <summary>sendmmsg what is queued; a datagram the kernel refuses is skipped (the engine retransmits).</summary>
    public void Flush()
    {
        var offset = 0;
        while (offset < _pendingSends)
        {
            var sent = UdpBatch.Send(_sockets.Descriptors[_sendSocket], _sendSlots.AsSpan(offset, _pendingSends - offset));
            SendCalls++;
            if (sent > 0)
            {
                DatagramsSent += sent;
                offset += sent;
            }
            else
            {
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug("sendmmsg on {Local} failed: errno {Errno}", _bound[_sendSocket], -sent);
                }

                offset++;
            }
        }

        _pendingSends = 0;
    }

    public void Dispose()
    {
        Flush();
        if (_ownsSockets)
        {
            _sockets.Dispose();
        }
    }
}
