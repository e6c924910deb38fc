using System.Globalization;
using System.Text;
using Appliance.LoadGen.Measure;

namespace Appliance.LoadGen.Report;

/// <summary>The short human summary printed after a run.</summary>
internal static class TextSummary
{
    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var b = new StringBuilder();
        Line(b, $"load generator against {report.Control}: {s.Nodes} nodes{(s.Light ? $" (light; {s.FullNodes} full)" : "")}, {s.Concurrency} concurrent registrations, {s.Rounds} rounds, {s.Joins} joins; load average {s.LoadAverageAtStart ?? "?"} at the start, {s.LoadAverageAtEnd ?? "?"} at the end");
        var r = report.Registration;
        Line(b, $"registration: {r.Succeeded}/{r.Nodes} in {r.WallSeconds:F2} s = {r.PerSecond:F1}/s; register latency {Ms(r.RegisterMs)}; connect {Ms(r.ConnectMs)}" +
            (r.ServerCpuMsPerRegistration is { } cpu ? $"; server CPU {cpu:F1} ms per registration" : "") + (r.FirstError is null ? "" : $"; first error: {r.FirstError}"));
        Line(b, Convergence("convergence", report.Convergence));
        Line(b, Propagation("endpoint change", report.EndpointChange));
        Line(b, Propagation("join", report.Join));
        Line(b, Convergence("after joins", report.Final));
        if (report.Server is { } server)
        {
            Line(b, $"server pid {server.Pid}: CPU {server.CpuSecondsTotal:F1} s; RSS start {Mb(server.Start.RssBytes)}, after registration {Mb(server.AfterRegistration.RssBytes)}, settled {Mb(server.Settled.RssBytes)} ({server.RssPerNodeBytes / 1024.0:F1} KiB per node above start), peak {Mb(server.End.PeakRssBytes)}");
        }

        Line(b, $"generator: CPU {report.Generator.CpuSeconds:F1} s, RSS {Mb(report.Generator.RssBytes)}");
        Line(b, report.Ok ? "result: every node converged and saw every change" : "result: FAILED (stuck nodes or missed changes above)");
        return b.ToString();
    }

    private static string Convergence(string name, ConvergenceResult c) =>
        c.Converged
            ? $"{name}: all nodes hold {c.ExpectedPeers} peers" + (c.SecondsAfterLastRegistration is { } t ? $", {t:F2} s after the last registration" : "")
            : $"{name}: {c.Stuck} stuck (expected {c.ExpectedPeers} peers): " + string.Join(", ", c.StuckNodes.Take(5).Select(n => $"{n.Hostname} has {n.Peers}{(n.StreamError is null ? "" : $" ({n.StreamError})")}"));

    private static string Propagation(string name, PropagationResult p) =>
        $"{name}: {p.Rounds} rounds × {p.Receivers} receivers: {Ms(p.LatencyMs)}, missed {p.Missed}" + (p.MissedExamples.Count > 0 ? $" ({string.Join(", ", p.MissedExamples.Take(5))})" : "");

    private static string Ms(LatencySummary l) => string.Create(CultureInfo.InvariantCulture, $"p50 {l.P50Ms:F1} / p90 {l.P90Ms:F1} / p99 {l.P99Ms:F1} / max {l.MaxMs:F1} ms");

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB");

    private static void Line(StringBuilder b, string text) => b.Append(CultureInfo.InvariantCulture, $"{text}\n");
}
