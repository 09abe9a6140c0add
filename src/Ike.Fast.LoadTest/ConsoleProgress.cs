using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ike.Fast.LoadTest;

/// <summary>
/// Live progress: a Spectre.Console live table redrawn in place when stdout is a terminal, otherwise one plain line
/// per second (logs, CI). <see cref="RunWithProgress"/> wraps <see cref="LoadTestRunner.Run"/>.
/// </summary>
public sealed class ConsoleProgress : ILoadTestProgress
{
    private readonly TextWriter _plain;
    private readonly Action<IRenderable>? _update;
    private DateTime _lastLine = DateTime.MinValue;

    private ConsoleProgress(TextWriter plain, Action<IRenderable>? update)
    {
        _plain = plain;
        _update = update;
    }

    /// <summary>Runs the test showing progress, then prints the summary table.</summary>
    public static LoadTestResult RunWithProgress(LoadTestOptions options, TextWriter output, bool interactive, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(output);
        LoadTestResult result;
        if (interactive)
        {
            LoadTestResult? r = null;
            AnsiConsole.Live(new Markup("[grey]starting...[/]")).AutoClear(false).Start(ctx =>
            {
                var progress = new ConsoleProgress(output, table =>
                {
                    ctx.UpdateTarget(table);
                    ctx.Refresh();
                });
                r = LoadTestRunner.Run(options, progress, cancel);
            });
            result = r!;
            AnsiConsole.Write(SummaryTable(result));
        }
        else
        {
            result = LoadTestRunner.Run(options, new ConsoleProgress(output, null), cancel);
            foreach (var (label, value) in HtmlReportWriter.SummaryRows(result))
            {
                output.WriteLine($"{label,-40} {value}");
            }
        }

        return result;
    }

    /// <summary>The end-of-run table.</summary>
    public static Table SummaryTable(LoadTestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var table = new Table().Title($"ikefast loadtest: {Markup.Escape(result.Target)}").AddColumn("").AddColumn(new TableColumn("").RightAligned());
        foreach (var (label, value) in HtmlReportWriter.SummaryRows(result))
        {
            table.AddRow(Markup.Escape(label), Markup.Escape(value));
        }

        return table;
    }

    public void Report(LoadSample sample, LatencySummary total, IReadOnlyList<KeyValuePair<string, long>> failures)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(failures);
        string cpu = sample.ResponderCpu is { } rc
            ? string.Create(CultureInfo.InvariantCulture, $"gen {sample.GeneratorCpu:F1} s / resp {rc:F1} s")
            : string.Create(CultureInfo.InvariantCulture, $"gen {sample.GeneratorCpu:F1} s");
        string reasons = failures.Count == 0 ? "" : " (" + string.Join(", ", failures.Select(f => $"{f.Key}: {f.Value}")) + ")";
        if (_update is null)
        {
            if ((DateTime.UtcNow - _lastLine).TotalSeconds < 1)
            {
                return;
            }

            _lastLine = DateTime.UtcNow;
            _plain.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{sample.Seconds,6:F1} s] {sample.Rate,7:F1}/s completed {sample.Completed} failed {sample.Failed}{reasons} in flight {sample.InFlight} " +
                $"p50 {total.P50:F1} p90 {total.P90:F1} p99 {total.P99:F1} max {total.Max:F1} ms retransmits {sample.Retransmits} cpu {cpu}"));
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("ikefast loadtest").AddColumn("").AddColumn(new TableColumn("").RightAligned());
        table.AddRow("elapsed", string.Create(CultureInfo.InvariantCulture, $"{sample.Seconds:F1} s"));
        table.AddRow("rate", string.Create(CultureInfo.InvariantCulture, $"[bold]{sample.Rate:F1}[/] handshakes/s"));
        table.AddRow("completed", $"[green]{sample.Completed}[/] of {sample.Started} started");
        table.AddRow("failed", sample.Failed == 0 ? "0" : $"[red]{sample.Failed}[/]{Markup.Escape(reasons)}");
        table.AddRow("in flight", sample.InFlight.ToString(CultureInfo.InvariantCulture));
        table.AddRow("latency p50/p90/p99/max", string.Create(CultureInfo.InvariantCulture, $"{total.P50:F1} / {total.P90:F1} / {total.P99:F1} / {total.Max:F1} ms"));
        table.AddRow("retransmits", sample.Retransmits.ToString(CultureInfo.InvariantCulture));
        table.AddRow("cpu", cpu);
        _update(table);
    }
}
