using System.Collections.Concurrent;
using Ike.Fast.Crypto.DiffieHellman;

namespace Ike.Fast.Crypto.Batch;

/// <summary>
/// An <see cref="IDhEngine"/> that runs Diffie-Hellman eight at a time: MODP exponentiations on the selected tier and,
/// with <see cref="ModExpBatchOptions.EcdhFactory"/> on an IFMA CPU, X25519 and P-256 scalar multiplications, all through
/// one <see cref="ModExpBatchWorker"/> (a batch runs when its lanes are full or its oldest request has waited
/// <see cref="ModExpBatchOptions.FlushDeadline"/>). <see cref="Submit"/> (the sans-IO path of the endpoint) and
/// <see cref="ExecuteAsync"/> (MODP only) queue shared secrets; key pairs come from per-group one-use
/// <see cref="EphemeralKeyPairPool"/>s (MODP, X25519, P-256), or a batch lane (X25519, P-256: the kernel writes
/// x || y), or the scalar engine (NSec, .NET) where the group has no lanes.
/// Validation, statuses and encodings are those of <see cref="ScalarDhEngine"/> (RFC 2409 §5, RFC 6989 §2.1, RFC 7748
/// §6.1, RFC 5903 §7), which also serves <see cref="Execute"/> for shared secrets, empty pools and a full queue
/// (back-pressure falls back to the scalar path rather than failing a handshake). Thread-safe.
/// </summary>
public sealed class BatchedDhEngine : IDhEngine, IDisposable
{
    /// <summary>Default pairs kept ready per pooled group (four full batches).</summary>
    public const int DefaultPoolCapacity = 32;

    private readonly ScalarDhEngine _scalar;
    private readonly DhEngineOptions _options;
    private readonly ModExpBatchWorker _worker;
    private static readonly byte[] X25519BasePoint = [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private readonly EphemeralKeyPairPool?[] _pools = new EphemeralKeyPairPool?[32];
    private readonly bool[] _curves = new bool[32];
    private readonly IDhRandomSource _random;
    private readonly ConcurrentQueue<ModExpDhCompletion> _completions = new();
    private long _batchedRequests;
    private long _scalarFallbacks;
    private long _pooledKeyPairs;
    private long _inFlight;
    private readonly bool _deferKeyPairs;

    /// <summary>
    /// An engine whose key pairs for <paramref name="pooledGroups"/> (MODP groups; default MODP-2048) come from
    /// pools of <paramref name="poolCapacity"/> pairs drawn from <paramref name="random"/>. With
    /// <paramref name="deferKeyPairs"/> (the default), a key pair asked for through <see cref="Submit"/> while its pool
    /// is empty is computed in the next batch and posted; without, it is computed at once by the scalar engine (for a
    /// caller that must send the public value in the same call, like the load generator's AM1).
    /// <paramref name="sharedSecretCapacity"/> is the room per group for queued shared secrets (an engine serving several
    /// event loops gives each its share).
    /// </summary>
    public BatchedDhEngine(
        IDhRandomSource random,
        DhEngineOptions? options = null,
        ModExpBatchOptions? batchOptions = null,
        IReadOnlyCollection<DhGroupId>? pooledGroups = null,
        int poolCapacity = DefaultPoolCapacity,
        bool deferKeyPairs = true,
        int sharedSecretCapacity = ModExpBatcher.DefaultQueueCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sharedSecretCapacity, 1);
        _deferKeyPairs = deferKeyPairs;
        ArgumentNullException.ThrowIfNull(random);
        _options = options ?? DhEngineOptions.Default;
        _scalar = new ScalarDhEngine(random, _options);
        _random = random;
        // Room for a pool's whole refill on top of the shared secrets: with only DefaultQueueCapacity, a refill could
        // take every slot and the handshakes' shared secrets then fell back to the scalar engine on the caller's
        // thread (about 100 of 5,000 MODP-2048 handshakes under load, each a managed exponentiation).
        QueueCapacity = sharedSecretCapacity + poolCapacity;
        var batcher = new ModExpBatcher(batchOptions ?? new ModExpBatchOptions(), QueueCapacity);
        FlushDeadline = batcher.FlushDeadline;
        Tier = batcher.Tier;
        // Curve groups join when the host supplied multi-lane ECDH kernels that this CPU runs (IFMA); else NSec / .NET.
        foreach (DhGroupId curve in (ReadOnlySpan<DhGroupId>)[DhGroupId.Curve25519, DhGroupId.Ecp256])
        {
            if (batchOptions?.EcdhFactory?.TryCreate(curve) is not null)
            {
                batcher.Prepare(curve);
                _curves[(int)curve] = true;
            }
        }

        var pools = new List<EphemeralKeyPairPool>();
        foreach (DhGroupId id in pooledGroups ?? [DhGroupId.Modp2048])
        {
            DhGroup group = DhGroupRegistry.Get(id);
            if (id is DhGroupId.Curve25519 or DhGroupId.Ecp256 && !_curves[(int)id])
            {
                continue; // no curve lanes on this machine: NSec / .NET make the pairs
            }

            batcher.Prepare(id); // throws for a group without lanes (P-256, other curves): a configuration error

            // The pool's exponents have the engine's policy length, so pooled and scalar keys are alike.
            int length = group.Kind == DhGroupKind.Modp ? (group.PrivateExponentBits(_options.ExponentLength) + 7) / 8 : 32;
            var pool = new EphemeralKeyPairPool(id, poolCapacity, random, privateKeyLength: length);
            _pools[(int)id] = pool;
            pools.Add(pool);
        }

        _worker = new ModExpBatchWorker(batcher, [.. pools]);
    }

    /// <summary>Requests each group's queue holds: room for the shared secrets plus a pool's whole refill.</summary>
    public int QueueCapacity { get; }

    /// <summary>The exponentiation tier in use.</summary>
    public ModExpTier Tier { get; }

    /// <summary>How long a partly filled batch waits for more requests.</summary>
    public TimeSpan FlushDeadline { get; }

    /// <summary>ComputeShared requests that went through a batch (counter).</summary>
    public long BatchedRequests => Interlocked.Read(ref _batchedRequests);

    /// <summary>
    /// MODP ComputeShared requests of <see cref="ExecuteAsync"/> served by the scalar path because the queue was full
    /// (or the worker had stopped on an error).
    /// </summary>
    public long ScalarFallbacks => Interlocked.Read(ref _scalarFallbacks);

    /// <summary>Key pairs served from a pool or computed in a batch lane (counter).</summary>
    public long PooledKeyPairs => Interlocked.Read(ref _pooledKeyPairs);

    /// <summary>The batcher's counters: lane occupancy and the longest added queue wait (worker clock).</summary>
    public ModExpBatchCounters BatchCounters => _worker.Counters;

    /// <summary>True when <paramref name="group"/> (19 or 31) runs on the multi-lane ECDH kernel.</summary>
    public bool BatchesCurve(DhGroupId group) => Curve(group);

    /// <summary>Pairs ready in <paramref name="group"/>'s pool (0 when the group is not pooled).</summary>
    public int PooledAvailable(DhGroupId group) => Pool(group)?.Available ?? 0;

    /// <inheritdoc/>
    public DhResult Execute(in DhRequest request) => request.Operation == DhOperation.GenerateKeyPair
        ? GenerateKeyPair(request.Group, request.Destination.Span)
        : ScalarExecute(request);

    /// <inheritdoc/>
    /// <remarks>
    /// A queued request is not cancelled by <paramref name="cancellationToken"/> once it sits in a batch (the
    /// private value has been handed over and wiped from the key); the token is checked before queueing.
    /// </remarks>
    public ValueTask<DhResult> ExecuteAsync(DhRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (request.Operation != DhOperation.ComputeShared
            || request.PrivateKey is not { Group.Kind: DhGroupKind.Modp } key
            || key.IsConsumed)
        {
            return ValueTask.FromResult(Execute(request));
        }

        ModpGroup modp = key.Group.Modp!;
        if (!ModpKeyExchange.IsValidPublicValue(modp, request.PeerPublicValue.Span))
        {
            return ValueTask.FromResult(new DhResult(DhStatus.InvalidKeyInformation));
        }

        if (request.Destination.Length < modp.ByteLength)
        {
            return ValueTask.FromResult(new DhResult(DhStatus.DestinationTooSmall));
        }

        byte[]? exponent = key.Exponent;
        if (exponent is null)
        {
            return ValueTask.FromResult(new DhResult(DhStatus.PrivateKeyConsumed));
        }

        if (_worker.Failure is not null)
        {
            // The worker thread died (a kernel threw): serve the request now rather than queue it forever.
            Interlocked.Increment(ref _scalarFallbacks);
            return ValueTask.FromResult(ScalarExecute(request));
        }

        if (!_completions.TryDequeue(out ModExpDhCompletion? completion))
        {
            completion = new ModExpDhCompletion(this);
        }

        short version = completion.Prepare(request.Destination[..modp.ByteLength]);
        ModExpEnqueueResult queued = _worker.Submit(key.Group.Id, request.PeerPublicValue.Span, exponent, completion, 0);
        if (queued != ModExpEnqueueResult.Queued)
        {
            completion.Abandon();
            Return(completion);
            Interlocked.Increment(ref _scalarFallbacks);
            return ValueTask.FromResult(ScalarExecute(request));
        }

        // The batcher holds its own copy of the exponent (wiped after its batch): single use starts now.
        key.Consume();
        Interlocked.Increment(ref _batchedRequests);
        return new ValueTask<DhResult>(completion, version);
    }

    /// <inheritdoc/>
    public bool CanDefer => true;

    /// <inheritdoc/>
    /// <remarks>
    /// Key pairs come from the pools (or the scalar path) at once; a MODP shared secret is queued on the worker and
    /// posted to <paramref name="sink"/> when its batch has run. Validation failures, a full queue and a stopped
    /// worker answer synchronously, like <see cref="ExecuteAsync"/>.
    /// </remarks>
    public bool Submit(in DhRequest request, IDhCompletionSink sink, long token, out DhResult result)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Curve(request.Group) && _worker.Failure is null)
        {
            return SubmitCurve(request, sink, token, out result);
        }

        if (request.Operation == DhOperation.GenerateKeyPair
            && _deferKeyPairs
            && Pool(request.Group) is { Available: 0 } empty
            && _worker.Failure is null
            && DhGroupRegistry.TryGet(request.Group, out DhGroup? pooledGroup)
            && pooledGroup.Kind == DhGroupKind.Modp
            && (!pooledGroup.IsLegacy || _options.ExplicitlyEnabledLegacyGroups.Contains(pooledGroup.Id))
            && request.Destination.Length >= pooledGroup.PublicValueLength)
        {
            return SubmitModpKeyPair(pooledGroup, empty, request, sink, token, out result);
        }

        if (request.Operation != DhOperation.ComputeShared
            || request.PrivateKey is not { Group.Kind: DhGroupKind.Modp } key
            || key.IsConsumed)
        {
            result = Execute(request);
            return true;
        }

        ModpGroup modp = key.Group.Modp!;
        if (!ModpKeyExchange.IsValidPublicValue(modp, request.PeerPublicValue.Span))
        {
            result = new DhResult(DhStatus.InvalidKeyInformation);
            return true;
        }

        if (request.Destination.Length < modp.ByteLength)
        {
            result = new DhResult(DhStatus.DestinationTooSmall);
            return true;
        }

        byte[]? exponent = key.Exponent;
        if (exponent is null || _worker.Failure is not null)
        {
            if (exponent is not null)
            {
                Interlocked.Increment(ref _scalarFallbacks);
            }

            result = exponent is null ? new DhResult(DhStatus.PrivateKeyConsumed) : ScalarExecute(request);
            return true;
        }

        if (!_completions.TryDequeue(out ModExpDhCompletion? completion))
        {
            completion = new ModExpDhCompletion(this);
        }

        completion.Prepare(request.Destination[..modp.ByteLength], sink, token);
        Interlocked.Increment(ref _inFlight);
        ModExpEnqueueResult queued = _worker.Submit(key.Group.Id, request.PeerPublicValue.Span, exponent, completion, 0);
        if (queued != ModExpEnqueueResult.Queued)
        {
            Interlocked.Decrement(ref _inFlight);
            completion.Abandon();
            Return(completion);
            Interlocked.Increment(ref _scalarFallbacks);
            result = ScalarExecute(request);
            return true;
        }

        key.Consume();
        Interlocked.Increment(ref _batchedRequests);
        result = default;
        return false;
    }

    /// <summary>
    /// A MODP key pair while the group's pool is empty (a burst, or the worker busy with shared secrets): g^x in the
    /// next batch rather than a managed exponentiation on the caller's (the event loop's) thread. The exponent has the
    /// pool's length and range; a full queue falls back to the scalar engine.
    /// </summary>
    private bool SubmitModpKeyPair(DhGroup group, EphemeralKeyPairPool pool, in DhRequest request, IDhCompletionSink sink, long token, out DhResult result)
    {
        byte[] exponent = GC.AllocateArray<byte>(pool.PrivateKeyLength, pinned: true);
        pool.NewPrivateKey(exponent);
        if (!_completions.TryDequeue(out ModExpDhCompletion? completion))
        {
            completion = new ModExpDhCompletion(this);
        }

        completion.PrepareModpKey(request.Destination[..group.PublicValueLength], sink, token, group, exponent);
        Interlocked.Increment(ref _inFlight);
        ModExpEnqueueResult queued = _worker.Submit(group.Id, ModpGenerator, exponent, completion, 0);
        if (queued != ModExpEnqueueResult.Queued)
        {
            Interlocked.Decrement(ref _inFlight);
            completion.Abandon(); // wipes the exponent
            Return(completion);
            result = Execute(request);
            return true;
        }

        Interlocked.Increment(ref _pooledKeyPairs);
        result = default;
        return false;
    }

    private static readonly byte[] ModpGenerator = [(byte)ModpGroup.Generator];

    /// <summary>
    /// X25519 and P-256 on the multi-lane ECDH kernel (RFC 7748 §5, RFC 5903 §7): a key pair is a random scalar
    /// (X25519: clamped by the kernel; P-256: d in [1, n - 1]) times the base point in a batch lane, whose result is
    /// the public value (P-256: x || y); a key of .NET (an imported or scalar-engine P-256 key) gives its d to the lane
    /// of the shared secret. Lengths are checked here, points by the kernel (a rejected lane comes back as
    /// INVALID-KEY-INFORMATION).
    /// </summary>
    private bool SubmitCurve(in DhRequest request, IDhCompletionSink sink, long token, out DhResult result)
    {
        DhGroup group = DhGroupRegistry.Get(request.Group);
        const int coordinate = 32;
        byte[] scalar;
        ReadOnlySpan<byte> point;
        int resultLength = coordinate;
        DhPrivateKey? key = request.PrivateKey;
        if (request.Operation == DhOperation.GenerateKeyPair)
        {
            if (!_deferKeyPairs || request.Destination.Length < group.PublicValueLength || PooledAvailable(group.Id) > 0)
            {
                // A pair ready in the pool is taken at once (MM4 leaves without waiting, isakmpd's order); otherwise
                // one is computed in the next batch.
                result = Execute(request);
                return true;
            }

            scalar = GC.AllocateArray<byte>(coordinate, pinned: true);
            if (group.Kind == DhGroupKind.Curve25519)
            {
                _random.Fill(scalar);
                point = X25519BasePoint;
            }
            else
            {
                P256Constants.NewScalar(_random, scalar);
                point = P256Constants.Generator;
                resultLength = P256Constants.PointLength; // the public value is x || y
            }
        }
        else
        {
            if (key is null || key.IsConsumed)
            {
                result = Execute(request);
                return true;
            }

            if (request.PeerPublicValue.Length != group.PublicValueLength)
            {
                result = new DhResult(DhStatus.InvalidKeyInformation);
                return true;
            }

            if (request.Destination.Length < coordinate)
            {
                result = new DhResult(DhStatus.DestinationTooSmall);
                return true;
            }

            if (key.Exponent is { } raw)
            {
                scalar = raw; // our own raw-scalar key: the batcher copies it, Consume wipes it
            }
            else if (key.Ecdh is { } ecdh)
            {
                scalar = GC.AllocateArray<byte>(coordinate, pinned: true);
                byte[] d = ecdh.ExportParameters(includePrivateParameters: true).D!;
                d.AsSpan(Math.Max(0, d.Length - coordinate)).CopyTo(scalar.AsSpan(Math.Max(0, coordinate - d.Length)));
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(d);
            }
            else
            {
                result = Execute(request); // an NSec key (not exportable): the scalar path
                return true;
            }

            point = request.PeerPublicValue.Span;
        }

        if (!_completions.TryDequeue(out ModExpDhCompletion? completion))
        {
            completion = new ModExpDhCompletion(this);
        }

        bool keyPair = request.Operation == DhOperation.GenerateKeyPair;
        completion.PrepareCurve(request.Destination[..resultLength], sink, token, resultLength, keyPair ? group : null, keyPair ? scalar : null);
        Interlocked.Increment(ref _inFlight);
        ModExpEnqueueResult queued = _worker.Submit(group.Id, point, scalar, completion, 0);
        if (!keyPair && !ReferenceEquals(scalar, key!.Exponent))
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(scalar); // the batcher holds its own copy
        }

        if (queued != ModExpEnqueueResult.Queued)
        {
            Interlocked.Decrement(ref _inFlight);
            completion.Abandon(); // wipes a key pair's scalar
            Return(completion);
            Interlocked.Increment(ref _scalarFallbacks);
            result = Execute(request);
            return true;
        }

        if (keyPair)
        {
            Interlocked.Increment(ref _pooledKeyPairs);
        }
        else
        {
            key!.Consume();
            Interlocked.Increment(ref _batchedRequests);
        }

        result = default;
        return false;
    }

    /// <summary>
    /// The scalar engine, also for a raw-scalar curve key of <see cref="SubmitCurve"/> (imported into NSec or .NET
    /// first) when a request cannot be batched.
    /// </summary>
    private DhResult ScalarExecute(in DhRequest request)
    {
        if (request.Operation == DhOperation.ComputeShared
            && request.PrivateKey is { Exponent: { } raw, Group.Kind: not DhGroupKind.Modp } key)
        {
            using DhPrivateKey imported = key.Group.Kind == DhGroupKind.Curve25519
                ? Curve25519KeyExchange.FromKnownPrivateKey(key.Group, raw)
                : EcpKeyExchange.FromKnownPrivateKey(key.Group, raw);
            DhResult r = _scalar.ComputeSharedSecret(imported, request.PeerPublicValue.Span, request.Destination.Span);
            if (r.IsSuccess)
            {
                key.Consume();
            }

            return r;
        }

        return _scalar.Execute(request);
    }

    private bool Curve(DhGroupId group) => (uint)group < (uint)_curves.Length && _curves[(int)group];

    /// <summary>Shared-secret requests queued and not yet handed back (the DH queue depth).</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>
    /// A fresh key pair: from the group's pool when it has one ready (the pair's values move into the returned
    /// key and the pool slot is wiped), otherwise computed now by the scalar path.
    /// </summary>
    public DhResult GenerateKeyPair(DhGroupId groupId, Span<byte> publicValueDestination)
    {
        if (Pool(groupId) is not { } pool
            || !DhGroupRegistry.TryGet(groupId, out DhGroup? group)
            || (group.IsLegacy && !_options.ExplicitlyEnabledLegacyGroups.Contains(groupId))
            || publicValueDestination.Length < group.PublicValueLength
            || !pool.TryTake(out EphemeralKeyPair? pair))
        {
            return _scalar.GenerateKeyPair(groupId, publicValueDestination);
        }

        byte[] exponent = GC.AllocateArray<byte>(pair.PrivateKey.Length, pinned: true);
        byte[] publicValue = pair.PublicKey.ToArray();
        pair.PrivateKey.CopyTo(exponent);
        pair.Dispose(); // wipes the pool's copy
        _worker.Nudge(); // lets the worker top the pool up
        publicValue.CopyTo(publicValueDestination);
        Interlocked.Increment(ref _pooledKeyPairs);
        return new DhResult(DhStatus.Success, publicValue.Length, group.Kind == DhGroupKind.Modp
            ? DhPrivateKey.ForModp(group, exponent, publicValue)
            : DhPrivateKey.ForScalar(group, exponent, publicValue));
    }

    /// <summary>
    /// Stops the worker and wipes the queues. Requests still queued are dropped and their tasks never complete:
    /// dispose only once the engine's callers are done.
    /// </summary>
    public void Dispose() => _worker.Dispose();

    internal void Return(ModExpDhCompletion completion) => _completions.Enqueue(completion);

    /// <summary>A queued request finished (counter bookkeeping for <see cref="InFlight"/>).</summary>
    internal void Finished() => Interlocked.Decrement(ref _inFlight);

    private EphemeralKeyPairPool? Pool(DhGroupId group) => (uint)group < (uint)_pools.Length ? _pools[(int)group] : null;
}
