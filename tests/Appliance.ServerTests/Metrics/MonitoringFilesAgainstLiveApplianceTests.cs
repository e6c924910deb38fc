using System.Net;
using Appliance.ServerTests.EndToEnd;
using Appliance.ServerTests.Support;

namespace Appliance.ServerTests.Metrics;

/// <summary>
/// Every series the dashboard and the alert rules query is exported by a running appliance: one with the backup
/// schedule on, so that its first backup and restore drill (run at start, as on a fresh install) have produced the
/// backup series too.
/// </summary>
[Trait("Category", "Slow")]
public sealed class MonitoringFilesAgainstLiveApplianceTests
{
    [Fact]
    public async Task Every_metric_named_by_the_dashboard_and_the_rules_is_exported_by_a_live_appliance()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(configure: o =>
        {
            o.Backup.Interval = TimeSpan.FromDays(1);
            o.Backup.VerifyInterval = TimeSpan.FromDays(7);
        });

        // Counters and histograms appear once something is counted: a little real traffic.
        var key = appliance.CreatePreAuthKey();
        var a = await appliance.ConnectNodeAsync("dash-a");
        var b = await appliance.ConnectNodeAsync("dash-b");
        Assert.Equal(HttpStatusCode.OK, (await a.RegisterAsync(key)).Status);
        Assert.Equal(HttpStatusCode.OK, (await b.RegisterAsync(key)).Status);
        Assert.Equal(HttpStatusCode.OK, await a.StartMapPollAsync());
        Assert.Equal(HttpStatusCode.OK, await b.StartMapPollAsync());
        Assert.Equal(HttpStatusCode.OK, await b.SendLiteUpdateAsync(["192.0.2.9:41641"]));
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Endpoints?.Contains("192.0.2.9:41641") == true), TimeSpan.FromSeconds(10)));
        using (var http = new HttpClient())
        using (var outsideNoise = await http.PostAsync(new Uri(appliance.Http, "/machine/register"), new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outsideNoise.StatusCode);
        }

        // A refused login (no form), for appliance_login_failures_total{reason="bad_form"} (the Failed logins panel).
        using (var http = new HttpClient())
        using (var refusedLogin = await http.PostAsync(new Uri(appliance.Http, "/register/unknown-link"), new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refusedLogin.StatusCode);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        PrometheusScrape scrape;
        do
        {
            await Task.Delay(250);
            scrape = await PrometheusScrape.GetAsync(appliance.Metrics);
        }
        while (!scrape.Names.Contains("appliance_backup_last_verify_success_seconds") && DateTime.UtcNow < deadline);

        var exported = scrape.Names;
        var missing = MonitoringFilesTests.Expressions()
            .SelectMany(e => MonitoringFilesTests.MetricNames(e.Expr).Where(name => !exported.Contains(name)).Select(name => $"{e.Source}: {name}"))
            .ToList();
        Assert.True(missing.Count == 0, "Not exported by the appliance:\n" + string.Join("\n", missing) + "\n\nExported:\n" + string.Join("\n", exported.Order()));

        // The first backup and drill of a fresh install succeeded, so the backup alerts stay quiet.
        Assert.Equal(0, scrape.Value("appliance_backup_failed", "kind=backup"));
        Assert.Equal(0, scrape.Value("appliance_backup_failed", "kind=verify"));
        Assert.InRange(scrape.Value("appliance_backup_last_success_seconds"), DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }
}
