using Appliance.Hosting.Derp;
using Appliance.Hosting.Systemd;
using Appliance.State.Identity;
using Appliance.Updates.Apply;
using Appliance.Updates.Versioning;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.EndToEnd;

/// <summary>
/// Issue 7 through the real wiring: `appliance update import` switches the <c>updates/content</c> link to
/// <c>contents/VERSION</c> (Appliance.Updates' UpdatePaths) and sends SIGHUP; the server built by the composition root
/// then applies identity.json and derp-map.json without a restart. <see cref="ReloadSignal.Request"/> is what the
/// SIGHUP handler calls. The reload runs on the thread pool, so the tests poll.
/// </summary>
public sealed class UpdateContentReloadTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private const string ExtraRegion = """{"Regions":{"901":{"RegionID":901,"RegionCode":"b","RegionName":"B","Nodes":[{"Name":"901a","RegionID":901,"HostName":"b.lan"}]}}}""";

    [Fact]
    public async Task Reload_applies_switched_content_and_a_broken_derp_map_keeps_the_previous_map()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        var identity = appliance.Services.GetRequiredService<IdentityService>();
        var derpMap = appliance.Services.GetRequiredService<EmbeddedDerpMapProvider>();
        var reload = appliance.Services.GetRequiredService<ReloadSignal>();
        Assert.Null(identity.FindUser("alice"));
        Assert.DoesNotContain(901, derpMap.Current.Regions!.Keys);

        // What the updater leaves behind: contents/1.0.0 with the files, and the relative link content -> contents/1.0.0.
        var first = ContentVersion(appliance.DataDir, "1.0.0");
        await File.WriteAllTextAsync(Path.Combine(first, "identity.json"), """{"users":[{"name":"alice","display_name":"Alice Liddell","email":"alice@example.com"}]}""");
        await File.WriteAllTextAsync(Path.Combine(first, "derp-map.json"), ExtraRegion);
        SwitchContent(appliance.DataDir, "1.0.0");

        reload.Request();

        await PollAsync(() => identity.FindUser("alice") is not null && derpMap.Current.Regions!.ContainsKey(901));
        var alice = identity.FindUser("alice")!;
        Assert.Equal(("Alice Liddell", "alice@example.com"), (alice.DisplayName, alice.Email));
        Assert.Equal("b.lan", derpMap.Current.Regions![901].Nodes!.Single().HostName);
        var regionsBefore = derpMap.Current.Regions!.Keys.Order().ToList();

        // The next bundle's derp-map.json is broken. Identity is applied after the DERP map in the same pass, so
        // bob appearing proves the pass that read the broken map has run.
        var second = ContentVersion(appliance.DataDir, "1.1.0");
        await File.WriteAllTextAsync(Path.Combine(second, "identity.json"), """{"users":[{"name":"alice","display_name":"Alice Liddell","email":"alice@example.com"},{"name":"bob"}]}""");
        await File.WriteAllTextAsync(Path.Combine(second, "derp-map.json"), "{\n  \"Regions\": {\n    \"902\": { \"RegionID\": \"oops\" }\n  }\n}\n");
        SwitchContent(appliance.DataDir, "1.1.0");

        reload.Request();

        await PollAsync(() => identity.FindUser("bob") is not null);
        Assert.Equal(regionsBefore, derpMap.Current.Regions!.Keys.Order());
        Assert.Equal("b.lan", derpMap.Current.Regions![901].Nodes!.Single().HostName);
    }

    /// <summary>A staged content folder, where the updater puts it (UpdatePaths.ContentVersionDir).</summary>
    private static string ContentVersion(string dataDir, string version)
    {
        var folder = Paths(dataDir).ContentVersionDir(ApplianceVersion.Parse(version));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The updater's own switch: a relative link content -> contents/VERSION, renamed over the old one.</summary>
    private static void SwitchContent(string dataDir, string version) =>
        LinkSwitch.Point(Paths(dataDir).Content, UpdatePaths.ContentLinkTarget(ApplianceVersion.Parse(version)));

    private static UpdatePaths Paths(string dataDir) => new(Path.Combine(dataDir, "updates"));

    private static async Task PollAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the reload did not apply the content in time");
            await Task.Delay(50);
        }
    }
}
