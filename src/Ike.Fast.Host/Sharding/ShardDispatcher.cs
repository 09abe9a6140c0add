using System.Net;
using Ike.Fast.Host.Transport;
using Ike.Native.Udp;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Sharding;

/// <summary>
/// <see cref="SteeringMode.Dispatcher"/>: one receiver thread reads every socket with recvmmsg, hashes each datagram's
/// source address (<see cref="ShardSteering.ShardOfAddress(ReadOnlySpan{byte}, int, ulong)"/> under the daemon's seed: the peer's shard) and copies
/// it into that shard's <see cref="ShardInbox"/>, waking a sleeping shard once per batch. The dispatcher reads no
/// ISAKMP byte: a datagram its peer's shard does not own (NAT rebinding) is passed on by that shard. A full inbox
/// drops the datagram (the peer retransmits) so one overloaded shard cannot stall the others.
/// </summary>
internal sealed unsafe class ShardDispatcher
{
    private readonly UdpSocketSet _sockets;
    private readonly IReadOnlyList<ShardInbox> _inboxes;
    private readonly ILogger _logger;
    private readonly int _batch;
    private readonly byte[] _slab;
    private readonly UdpSlot[] _slots;
    private readonly EndPointCache _endPoints = new();
    private readonly bool[] _touched;
    private readonly ulong _seed;

    public ShardDispatcher(UdpSocketSet sockets, IReadOnlyList<ShardInbox> inboxes, int batchSize, int maxDatagram, ulong steeringSeed,
        ILogger logger)
    {
        _sockets = sockets;
        _seed = steeringSeed;
        _inboxes = inboxes;
        _logger = logger;
        _batch = Math.Clamp(batchSize, 1, UdpBatch.MaxBatch);
        _slab = GC.AllocateUninitializedArray<byte>(_batch * maxDatagram, pinned: true);
        _slots = GC.AllocateArray<UdpSlot>(_batch, pinned: true);
        var slabBase = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _slab[0]);
        for (var i = 0; i < _batch; i++)
        {
            _slots[i].Buffer = slabBase + (i * maxDatagram);
            _slots[i].Capacity = maxDatagram;
        }

        _touched = new bool[inboxes.Count];
    }

    public long Received { get; private set; }

    public long ReceiveCalls { get; private set; }

    /// <summary>Runs until <paramref name="cancel"/> fires (checked at least every <paramref name="maxWait"/>).</summary>
    public void Run(CancellationToken cancel, TimeSpan maxWait)
    {
        var descriptors = _sockets.Descriptors.ToArray();
        var waitMs = (int)Math.Max(1, maxWait.TotalMilliseconds);
        while (!cancel.IsCancellationRequested)
        {
            RunOnce(descriptors, waitMs);
        }
    }

    /// <summary>
    /// One pass: a recvmmsg on every socket, each batch handed to the shards; when none had data, one poll(2) of at most
    /// <paramref name="waitMs"/>. False when nothing was received.
    /// </summary>
    internal bool RunOnce(int[] descriptors, int waitMs)
    {
        var any = false;
        for (var s = 0; s < descriptors.Length; s++)
        {
            var n = UdpBatch.Receive(descriptors[s], _slots.AsSpan(0, _batch));
            if (n <= 0)
            {
                continue;
            }

            any = true;
            ReceiveCalls++;
            Received += n;
            Dispatch(n, s);
        }

        if (!any && waitMs > 0)
        {
            UdpBatch.Wait(descriptors, waitMs, out _);
        }

        return any;
    }

    private void Dispatch(int n, int socket)
    {
        var bound = _sockets.LocalEndPoints[socket];
        for (var i = 0; i < n; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.Flags != 0)
            {
                continue;
            }

            var payload = new ReadOnlySpan<byte>(slot.Buffer, slot.Length);
            var owner = ShardSteering.ShardOfSource(ref slot, _inboxes.Count, _seed);
            IPEndPoint local = _sockets.IsWildcard[socket] ? _endPoints.Get(ref slot.Local, slot.Family, bound.Port, 0) : bound;
            if (_inboxes[owner].TryEnqueue(payload, local, _endPoints.Get(ref slot.Remote, slot.Family, slot.RemotePort, slot.ScopeId)))
            {
                _touched[owner] = true;
            }
        }

        for (var shard = 0; shard < _touched.Length; shard++)
        {
            if (_touched[shard])
            {
                _touched[shard] = false;
                _inboxes[shard].WakeIfSleeping();
            }
        }
    }
}
