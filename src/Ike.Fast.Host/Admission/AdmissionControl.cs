using System.Net;
using Ike.Fast.Host.Configuration;
using Microsoft.Extensions.Logging;

namespace Ike.Fast.Host.Admission;

/// <summary>
/// The gate before the engine, shared by every shard (<c>daemon.admission</c>). Existing peers' datagrams (Quick Mode
/// rekeys, DPD, Informationals, later Phase 1 messages) always pass and cost one header read. A new Phase 1 passes
/// only if the shard is not behind, a token is left in the global bucket, and the global and per-prefix half-open
/// bounds allow it. A refused one is dropped silently (IKEv1 has nothing cheaper to answer with), counted by reason,
/// and summarised in at most one log line per second.
/// </summary>
public sealed class AdmissionControl
{
    private const long LogIntervalMs = 1000;

    private readonly AdmissionSettings _settings;
    private readonly TokenBucket _bucket;
    private readonly HalfOpenTable _halfOpen;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly long[] _refused = new long[Enum.GetValues<RefusalReason>().Length];
    private long _admitted;
    private long _existing;
    private long _lastLog = long.MinValue;
    private long _refusedAtLastLog;

    /// <param name="time">The gate's own clock. Every shard asks the gate at <see cref="NowMs"/>, never at its own loop
    /// time: shards start their clocks at different moments, and a token bucket fed two clocks a few milliseconds apart
    /// would refill on every switch between them.</param>
    /// <param name="shards">Shards behind the gate (an automatic rate scales with them).</param>
    public AdmissionControl(AdmissionSettings settings, ILogger logger, TimeProvider? time = null, int shards = 1)
    {
        _settings = settings;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        _bucket = new TokenBucket(settings.EffectiveRate(shards), settings.EffectiveBurst(shards), 0);
        _halfOpen = new HalfOpenTable(settings.MaxHalfOpen, settings.HalfOpenPerPrefix, (long)settings.EffectiveHalfOpenTimeout.TotalMilliseconds);
    }

    public AdmissionSettings Settings => _settings;

    /// <summary>Milliseconds on the gate's clock, shared by all shards (pass it to <see cref="Admit"/>).</summary>
    public long NowMs => (long)_time.GetElapsedTime(_origin).TotalMilliseconds;

    /// <summary>New Phase 1s let through to the engine.</summary>
    public long Admitted => Interlocked.Read(ref _admitted);

    /// <summary>Existing peers' datagrams let through (always).</summary>
    public long Existing => Interlocked.Read(ref _existing);

    public long Refused(RefusalReason reason) => Interlocked.Read(ref _refused[(int)reason]);

    public long RefusedTotal => Total();

    /// <summary>Admitted Phase 1s not yet established.</summary>
    public int HalfOpen => _halfOpen.Count;

    /// <summary>
    /// Decides for one datagram (<paramref name="ike"/> from the ISAKMP header on); true = hand it to the engine.
    /// <paramref name="behind"/>: the calling shard's receive queue is backed up.
    /// </summary>
    public bool Admit(ReadOnlySpan<byte> ike, IPEndPoint remote, bool behind, long nowMs)
    {
        if (IsakmpClassifier.Classify(ike) != DatagramKind.NewPhase1)
        {
            Interlocked.Increment(ref _existing);
            return true;
        }

        var cookie = IsakmpClassifier.InitiatorCookie(ike);
        var prefix = SourcePrefix.Of(remote.Address, _settings.Ipv4Prefix, _settings.Ipv6Prefix);
        // A retransmitted first message of an admitted Phase 1 passes without a token (the engine answers it from its
        // reply cache).
        if (_halfOpen.TryAdmit(cookie, prefix, nowMs, takeSlot: false, out var retransmission) is null && retransmission)
        {
            Interlocked.Increment(ref _existing);
            return true;
        }

        if (behind && _settings.DropNewWhenBehind)
        {
            return Refuse(RefusalReason.Backlog, remote, nowMs);
        }

        if (!_bucket.TryTake(nowMs))
        {
            return Refuse(RefusalReason.Rate, remote, nowMs);
        }

        if (_halfOpen.TryAdmit(cookie, prefix, nowMs, takeSlot: true, out _) is { } reason)
        {
            return Refuse(reason, remote, nowMs);
        }

        Interlocked.Increment(ref _admitted);
        return true;
    }

    /// <summary>A Phase 1 came up (engine event): it stops counting as half-open.</summary>
    public void Established(ulong initiatorCookie) => _halfOpen.Complete(initiatorCookie);

    private bool Refuse(RefusalReason reason, IPEndPoint remote, long nowMs)
    {
        Interlocked.Increment(ref _refused[(int)reason]);
        var last = Volatile.Read(ref _lastLog);
        if (nowMs - last >= LogIntervalMs && Interlocked.CompareExchange(ref _lastLog, nowMs, last) == last)
        {
            var total = Total();
            _logger.LogWarning("admission: refusing new Phase 1s ({Reason}, e.g. from {Remote}); {Count} refused in the last interval, {HalfOpen} half-open",
                reason, remote, total - _refusedAtLastLog, _halfOpen.Count);
            _refusedAtLastLog = total;
        }

        return false;
    }

    private long Total()
    {
        long total = 0;
        for (var i = 0; i < _refused.Length; i++)
        {
            total += Interlocked.Read(ref _refused[i]);
        }

        return total;
    }
}
