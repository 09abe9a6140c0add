using System.Globalization;
using System.Net;
using System.Text;

namespace Ike.Fast.LoadTest;

/// <summary>A self-contained HTML page: the summary and two inline SVG charts (rate; latency p50/p99 over time). No scripts.</summary>
public static class HtmlReportWriter
{
    private const int Width = 760;
    private const int Height = 220;
    private const int Margin = 40;

    public static string ToHtml(LoadTestResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>ikefast loadtest</title>");
        sb.Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{text-align:left}</style></head><body>");
        sb.Append("<h1>ikefast loadtest</h1><p>").Append(E(r.Target)).Append(" &mdash; ").Append(E(r.Options.Mode.ToString())).Append(" Mode, ")
            .Append(E(r.Options.Proposal)).Append(", ESP ").Append(E(r.Options.Esp)).Append(", ").Append(r.Options.Children).Append(" Quick Mode(s) per Phase 1</p>");
        sb.Append("<table>");
        foreach (var (k, v) in SummaryRows(r))
        {
            sb.Append("<tr><th>").Append(E(k)).Append("</th><td>").Append(E(v)).Append("</td></tr>");
        }

        sb.Append("</table>");
        sb.Append("<h2>Completed handshakes per second</h2>");
        sb.Append(Chart(r.Series, [("rate", "#1f77b4", s => s.Rate)], "handshakes/s"));
        sb.Append("<h2>Latency (ms) of the handshakes completed each second</h2>");
        sb.Append(Chart(r.Series, [("p50", "#2ca02c", s => s.Latency.P50), ("p99", "#d62728", s => s.Latency.P99)], "ms"));
        sb.Append("</body></html>");
        return sb.ToString();
    }

    /// <summary>The summary as label/value rows (also used by the console table).</summary>
    public static IEnumerable<(string Label, string Value)> SummaryRows(LoadTestResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        yield return ("Started", N(r.Started));
        yield return ("Completed", N(r.Completed));
        yield return ("Failed", N(r.Failed));
        foreach (var (reason, count) in r.FailuresByReason)
        {
            yield return ("  " + reason, N(count));
        }

        if (r.AbortedNothingCompleted)
        {
            yield return ("Stopped early", "nothing completed in the first window of handshakes");
        }

        yield return ("IPsec SAs (Quick Modes)", N(r.ChildSas));
        if (r.ChildSasWithPfs > 0)
        {
            yield return ("  with PFS (Quick Mode KE)", N(r.ChildSasWithPfs));
        }

        if (r.ChildSasUdpEncapsulated > 0)
        {
            yield return ("  ESP-in-UDP (NAT-T)", N(r.ChildSasUdpEncapsulated));
        }

        if (r.ModeConfigReplies > 0)
        {
            yield return ("Mode-Config replies", N(r.ModeConfigReplies));
        }
        yield return ("Handshakes/s", F(r.HandshakesPerSecond, 1) + $" (over {F(r.ActiveSeconds, 1)} s)");
        yield return ("Latency p50 / p90 / p99 / max", $"{F(r.Latency.P50, 2)} / {F(r.Latency.P90, 2)} / {F(r.Latency.P99, 2)} / {F(r.Latency.Max, 2)} ms");
        yield return ("Retransmits (generator)", N(r.Retransmits));
        if (r.ResponderRetransmissionAnswers is { } ra)
        {
            yield return ("Retransmissions answered (responder)", N(ra));
        }

        yield return ("Datagrams sent / received", $"{N(r.DatagramsSent)} / {N(r.DatagramsReceived)}");
        if (r.Dropped + r.Duplicated > 0)
        {
            yield return ("Dropped / duplicated (knobs)", $"{N(r.Dropped)} / {N(r.Duplicated)}");
        }

        yield return ("Generator CPU (generator threads)", $"{F(r.GeneratorCpuSeconds, 2)} s" + (r.GeneratorCpuPerHandshakeMs is { } g ? $" = {F(g, 3)} ms/handshake" : ""));
        if (r.ResponderCpuSeconds is { } rc)
        {
            yield return (r.ResponderIsInProcess ? "Responder CPU (daemon + DH threads)"
                : r.ResponderCpuSource is "cgroup-v2" or "cgroup-v1" ? $"Responder CPU (--responder-cgroup, {r.ResponderCpuSource})"
                : "Responder CPU (--responder-pid)",
                $"{F(rc, 2)} s" + (r.ResponderCpuPerHandshakeMs is { } p ? $" = {F(p, 3)} ms/handshake" : ""));
        }

        yield return ("Other process CPU (JIT, GC, sampler)", $"{F(r.OtherCpuSeconds, 2)} s");

        if (r.GeneratorCpuPerHandshakeMs is { } gg && r.ResponderCpuPerHandshakeMs is { } rr && rr > 0)
        {
            yield return ("Generator / responder CPU", F(gg / rr, 2));
            if (r.GeneratorProcessCpuPerHandshakeMs is { } gp)
            {
                // External responder: everything in this process serves the generator (JIT and GC included).
                yield return ("Generator process (all threads) / responder", $"{F(gp, 3)} ms/handshake, {F(gp / rr, 2)}");
            }
        }

        yield return ("Deleted on exit/churn", N(r.Deleted) + (r.ResponderIkeSasLeft is { } left ? $" (responder IKE SAs left: {left})" : ""));
    }

    private static string Chart(IReadOnlyList<LoadSample> series, (string Name, string Color, Func<LoadSample, double> Value)[] lines, string unit)
    {
        double maxT = Math.Max(1, series.Count == 0 ? 1 : series[^1].Seconds);
        double maxY = 1;
        foreach (LoadSample s in series)
        {
            foreach (var l in lines)
            {
                maxY = Math.Max(maxY, l.Value(s));
            }
        }

        maxY *= 1.1;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\">");
        int plotW = Width - (2 * Margin);
        int plotH = Height - (2 * Margin);
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#999\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double v = maxY * i / 4;
            double y = Margin + plotH - (plotH * i / 4.0);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin - 4}\" y=\"{y + 4:0.#}\" font-size=\"10\" text-anchor=\"end\">{v:0.#}</text>");
            double t = maxT * i / 4;
            double x = Margin + (plotW * i / 4.0);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Height - Margin + 14}\" font-size=\"10\" text-anchor=\"middle\">{t:0.#} s</text>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{Margin - 8}\" font-size=\"11\">{E(unit)}</text>");
        int legendX = Margin + 10;
        foreach (var l in lines)
        {
            var points = new StringBuilder();
            foreach (LoadSample s in series)
            {
                double x = Margin + (plotW * s.Seconds / maxT);
                double y = Margin + plotH - (plotH * l.Value(s) / maxY);
                points.Append(CultureInfo.InvariantCulture, $"{x:0.##},{y:0.##} ");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{l.Color}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{legendX}\" y=\"{Margin + 14}\" font-size=\"11\" fill=\"{l.Color}\">{E(l.Name)}</text>");
            legendX += 50;
        }

        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double v, int digits) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
