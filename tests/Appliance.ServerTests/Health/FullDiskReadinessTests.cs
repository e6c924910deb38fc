using System.Net;
using Appliance.ServerTests.EndToEnd;
using Appliance.ServerTests.Support;

namespace Appliance.ServerTests.Health;

/// <summary>
/// Issue 15: `/ready` said ready while the disk was full and every write failed. On a tmpfs the test mounts and
/// fills, `/ready` turns 503 with the reason and the metric drops to 0; freeing space brings both back.
/// </summary>
[Trait("Category", "Slow")]
public sealed class FullDiskReadinessTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Ready_turns_503_with_the_reason_while_the_data_folder_is_full_and_recovers_when_space_is_freed()
    {
        using var disk = SmallFileSystem.Mount(megabytes: 16);
        var data = Path.Combine(disk.Path, "data");
        await using var appliance = await ApplianceUnderTest.StartAsync(dataDir: data);
        using var http = new HttpClient();
        Assert.Equal((HttpStatusCode.OK, "ready"), await ReadyAsync(http, appliance));

        var filler = disk.Fill();
        var (status, text) = await UntilAsync(http, appliance, r => r.Status == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("not ready: database cannot be written: ", text, StringComparison.Ordinal);
        Assert.Contains("space", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, (await PrometheusScrape.GetAsync(appliance.Metrics)).Value("appliance_database_writable"));
        Assert.Equal(0, (await PrometheusScrape.GetAsync(appliance.Metrics)).Value("appliance_ready"));

        File.Delete(filler);
        Assert.Equal((HttpStatusCode.OK, "ready"), await UntilAsync(http, appliance, r => r.Status == HttpStatusCode.OK));
        Assert.Equal(1, (await PrometheusScrape.GetAsync(appliance.Metrics)).Value("appliance_database_writable"));
    }

    private static async Task<(HttpStatusCode Status, string Text)> ReadyAsync(HttpClient http, ApplianceUnderTest appliance)
    {
        using var response = await http.GetAsync(new Uri(appliance.Http, "/ready"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(HttpStatusCode Status, string Text)> UntilAsync(HttpClient http, ApplianceUnderTest appliance, Func<(HttpStatusCode Status, string Text), bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var ready = await ReadyAsync(http, appliance);
            if (done(ready) || DateTime.UtcNow > deadline)
            {
                return ready;
            }

            await Task.Delay(200);
        }
    }
}
