using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.TestKit;
using YamlDotNet.RepresentationModel;

namespace Appliance.ServerTests.Metrics;

/// <summary>
/// docs/ops/appliance-alerts.yml and grafana-dashboard.json: Prometheus accepts the rules and their unit tests
/// (`promtool`, Debian's prometheus package, installed by .ci/run), and every series they query is one a running
/// appliance exports (<see cref="MonitoringFilesAgainstLiveApplianceTests"/>).
/// </summary>
public sealed partial class MonitoringFilesTests
{
    internal static string OpsDir => Path.Combine(RepoPaths.RepoRoot, "docs", "ops");

    internal const string Promtool = "/usr/bin/promtool";

    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var (code, output) = await RunPromtoolAsync("check", "rules", "appliance-alerts.yml");
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_unit_tests_show_the_alerts_firing_on_the_exported_series()
    {
        var (code, output) = await RunPromtoolAsync("test", "rules", "appliance-alerts.test.yml");
        Assert.True(code == 0, output);
    }

    [Fact]
    public void The_rules_cover_server_health_database_certificates_and_backups()
    {
        var alerts = Expressions().Where(e => e.Source.StartsWith("alert ", StringComparison.Ordinal)).ToList();
        foreach (var needed in new[] { "appliance_ready", "appliance_database_writable", "appliance_tls_certificate_expiry_seconds", "appliance_backup_failed", "appliance_backup_last_success_seconds", "appliance_backup_last_verify_success_seconds" })
        {
            Assert.Contains(alerts, a => MetricNames(a.Expr).Contains(needed));
        }
    }

    /// <summary>Every PromQL expression in the rules (alert NAME) and the dashboard (panel TITLE).</summary>
    internal static IReadOnlyList<(string Source, string Expr)> Expressions()
    {
        var found = new List<(string, string)>();
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(OpsDir, "appliance-alerts.yml"))));
        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
        foreach (YamlMappingNode group in groups)
        {
            foreach (YamlMappingNode rule in (YamlSequenceNode)group["rules"])
            {
                found.Add(("alert " + rule["alert"], rule["expr"].ToString()));
            }
        }

        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(OpsDir, "grafana-dashboard.json")));
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                found.Add(("panel " + panel.GetProperty("title").GetString(), target.GetProperty("expr").GetString()!));
            }
        }

        Assert.True(found.Count > 20, "the files hold fewer expressions than expected");
        return found;
    }

    /// <summary>The appliance's and the runtime's series an expression names (labels and functions are not metric names there).</summary>
    internal static IReadOnlySet<string> MetricNames(string expr) =>
        SeriesName().Matches(expr).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    private static async Task<(int Code, string Output)> RunPromtoolAsync(params string[] args)
    {
        Assert.True(File.Exists(Promtool), $"{Promtool} is missing: install Debian's prometheus package (.ci/run does: apt-get install -y --no-install-recommends prometheus)");
        var start = new ProcessStartInfo(Promtool) { WorkingDirectory = OpsDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"\b(appliance|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex SeriesName();
}
