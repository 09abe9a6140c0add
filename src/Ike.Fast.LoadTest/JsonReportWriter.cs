using System.Text;
using System.Text.Json;

namespace Ike.Fast.LoadTest;

/// <summary>Writes every figure of a <see cref="LoadTestResult"/> plus the per-second series as JSON (snake_case keys).</summary>
public static class JsonReportWriter
{
    public static void Write(LoadTestResult r, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("target", r.Target);
        w.WriteStartObject("options");
        LoadTestOptions o = r.Options;
        w.WriteString("mode", o.Mode.ToString().ToLowerInvariant());
        w.WriteString("proposal", o.Proposal);
        w.WriteString("esp", o.Esp);
        w.WriteString("auth", o.Auth == Policy.AuthMethod.PubKey ? "rsa" : "psk");
        w.WriteBoolean("xauth", o.XauthUser is not null);
        w.WriteBoolean("mode_config", o.ModeConfig);
        w.WriteBoolean("nat_t", o.NatTraversal);
        Nullable(w, "dpd_seconds", o.DpdDelaySeconds);
        w.WriteNumber("children", o.Children);
        Nullable(w, "rate", o.Rate);
        w.WriteNumber("concurrency", o.Concurrency);
        w.WriteNumber("ramp_up_seconds", o.RampUpSeconds);
        Nullable(w, "duration_seconds", o.DurationSeconds);
        Nullable(w, "count", o.Count);
        w.WriteBoolean("churn", o.Churn);
        w.WriteBoolean("fresh_dh", o.FreshDh);
        w.WriteNumber("drop", o.Drop);
        w.WriteNumber("duplicate", o.Duplicate);
        w.WriteNumber("delay_ms", o.DelayMs);
        w.WriteNumber("timeout_seconds", o.TimeoutSeconds);
        w.WriteNumber("threads", o.Threads);
        w.WriteNumber("retransmit_ms", o.RetransmitMs);
        w.WriteNumber("warmup", o.Warmup);
        Nullable(w, "peers", o.Peers);
        w.WriteEndObject();
        w.WriteNumber("elapsed_seconds", r.ElapsedSeconds);
        w.WriteNumber("active_seconds", r.ActiveSeconds);
        w.WriteNumber("started", r.Started);
        w.WriteNumber("completed", r.Completed);
        w.WriteNumber("failed", r.Failed);
        w.WriteBoolean("aborted_nothing_completed", r.AbortedNothingCompleted);
        w.WriteStartObject("failures");
        foreach (var (reason, count) in r.FailuresByReason)
        {
            w.WriteNumber(reason, count);
        }

        w.WriteEndObject();
        w.WriteNumber("child_sas", r.ChildSas);
        w.WriteNumber("child_sas_pfs", r.ChildSasWithPfs);
        w.WriteNumber("mode_config_replies", r.ModeConfigReplies);
        w.WriteNumber("child_sas_udp_encap", r.ChildSasUdpEncapsulated);
        w.WriteNumber("handshakes_per_second", r.HandshakesPerSecond);
        Latency(w, "latency_ms", r.Latency);
        w.WriteNumber("retransmits", r.Retransmits);
        Nullable(w, "responder_retransmission_answers", r.ResponderRetransmissionAnswers);
        w.WriteNumber("datagrams_sent", r.DatagramsSent);
        w.WriteNumber("datagrams_received", r.DatagramsReceived);
        w.WriteNumber("dropped", r.Dropped);
        w.WriteNumber("duplicated", r.Duplicated);
        w.WriteNumber("deleted", r.Deleted);
        Nullable(w, "responder_ike_sas_left", r.ResponderIkeSasLeft);
        w.WriteStartObject("cpu");
        w.WriteNumber("generator_seconds", r.GeneratorCpuSeconds);
        Nullable(w, "responder_seconds", r.ResponderCpuSeconds);
        w.WriteString("responder_source", r.ResponderCpuSource); // null when there is no responder figure
        Nullable(w, "responder_ticks_seconds", r.ResponderTickCpuSeconds);
        w.WriteNumber("process_seconds", r.ProcessCpuSeconds);
        w.WriteNumber("other_seconds", r.OtherCpuSeconds);
        Nullable(w, "generator_ms_per_handshake", r.GeneratorCpuPerHandshakeMs);
        Nullable(w, "responder_ms_per_handshake", r.ResponderCpuPerHandshakeMs);
        Nullable(w, "generator_process_ms_per_handshake", r.GeneratorProcessCpuPerHandshakeMs);
        w.WriteEndObject();
        w.WriteStartArray("series");
        foreach (LoadSample s in r.Series)
        {
            w.WriteStartObject();
            w.WriteNumber("t", s.Seconds);
            w.WriteNumber("started", s.Started);
            w.WriteNumber("completed", s.Completed);
            w.WriteNumber("failed", s.Failed);
            w.WriteNumber("in_flight", s.InFlight);
            w.WriteNumber("rate", Math.Round(s.Rate, 2));
            Latency(w, "latency_ms", s.Latency);
            w.WriteNumber("retransmits", s.Retransmits);
            w.WriteNumber("generator_cpu_seconds", Math.Round(s.GeneratorCpu, 4));
            Nullable(w, "responder_cpu_seconds", s.ResponderCpu is { } rc ? Math.Round(rc, 4) : null);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string ToJson(LoadTestResult r)
    {
        using var ms = new MemoryStream();
        Write(r, ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void Latency(Utf8JsonWriter w, string name, LatencySummary l)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", l.Count);
        w.WriteNumber("p50", l.P50);
        w.WriteNumber("p90", l.P90);
        w.WriteNumber("p99", l.P99);
        w.WriteNumber("max", l.Max);
        w.WriteNumber("mean", Math.Round(l.Mean, 3));
        w.WriteEndObject();
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x)
        {
            w.WriteNumber(name, x);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Nullable(Utf8JsonWriter w, string name, long? v)
    {
        if (v is { } x)
        {
            w.WriteNumber(name, x);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
