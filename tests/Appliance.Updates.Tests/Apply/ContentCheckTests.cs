using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Tests.TestSupport;
using static Appliance.Updates.Tests.TestSupport.TestKeys;

namespace Appliance.Updates.Tests.Apply;

/// <summary>
/// Content is checked the way the server will read it before the `content` link moves (production check:
/// Appliance.Hosting's UpdateContentValidator), and a content switch asks the running service to reload.
/// </summary>
public class ContentCheckTests
{
    [Fact]
    public async Task A_content_bundle_is_switched_and_the_service_is_asked_to_reload()
    {
        using var root = new TempUpdatesRoot();
        root.Restarter.Watch = root.Paths;
        var checkedFolders = new List<string[]>();

        var outcome = await root.Updater(contentCheck: folder =>
        {
            checkedFolders.Add([.. Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order()!]);
            return [];
        }).ImportAsync(root.WriteBundle(BundleFactory.Content("2.0.0")), default);

        Assert.Equal(UpdateResult.Applied, outcome.Result);
        Assert.Contains("asked to reload", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(["contents/2.0.0"], root.Restarter.Reloads);
        Assert.Empty(root.Restarter.Restarts);
        Assert.Contains("derp-map.json", Assert.Single(checkedFolders));
    }

    [Fact]
    public async Task Content_the_server_would_refuse_is_refused_at_import_and_the_applied_content_stays()
    {
        using var root = new TempUpdatesRoot();
        root.Restarter.Watch = root.Paths;
        Assert.Equal(UpdateResult.Applied, (await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Content("2.0.0", "good")), default)).Result);
        var before = root.Snapshot();
        root.Restarter.Reloads.Clear();

        var outcome = await root.Updater(contentCheck: _ => ["update content derp-map.json 'x':3: not a DERP map"])
            .ImportAsync(root.WriteBundle(BundleFactory.Content("2.0.1", "bad")), default);

        Assert.Equal(UpdateResult.Refused, outcome.Result);
        Assert.Equal(BundleError.ContentInvalid, outcome.Error);
        Assert.Contains("'x':3: not a DERP map", outcome.Message, StringComparison.Ordinal);
        Assert.Equal("contents/2.0.0", LinkSwitch.Target(root.Paths.Content));
        Assert.Equal("2.0.0", root.Updater().Status().Content);
        Assert.Empty(root.Restarter.Reloads);
        Assert.False(Directory.Exists(root.Paths.ContentVersionDir(Appliance.Updates.Versioning.ApplianceVersion.Parse("2.0.1"))));
        var after = root.Snapshot();
        Assert.Equal(before.Keys.Where(k => !k.StartsWith("history", StringComparison.Ordinal) && !k.StartsWith("staging", StringComparison.Ordinal)),
            after.Keys.Where(k => !k.StartsWith("history", StringComparison.Ordinal) && !k.StartsWith("staging", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_healthy_release_with_refused_content_keeps_the_release_and_the_previous_content()
    {
        using var root = new TempUpdatesRoot();
        var payload = BundleFactory.ReleasePayload("1.1.0");
        payload[PayloadRole.CaTrust] = "-----BEGIN CERTIFICATE-----\n"u8.ToArray();
        var bytes = BundleFactory.Write(BundleFactory.Manifest(BundleKind.Release, "1.1.0", payload), payload, Signer1, Signer3);

        var outcome = await root.Updater(contentCheck: _ => ["ca-trust.pem: no CERTIFICATE block found"]).ImportAsync(root.WriteBundle(bytes), default);

        Assert.Equal(UpdateResult.Applied, outcome.Result);
        Assert.Contains("content was NOT applied", outcome.Message, StringComparison.Ordinal);
        Assert.Equal("releases/1.1.0", root.CurrentTarget());
        Assert.Null(root.Updater().Status().Content);
        Assert.False(File.Exists(Path.Combine(root.Paths.Content, "ca-trust.pem")));
    }
}
