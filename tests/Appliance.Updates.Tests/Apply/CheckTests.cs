using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Tests.TestSupport;

namespace Appliance.Updates.Tests.Apply;

/// <summary>Updater.Check (the admin console's upload check): the import's verification, and nothing written.</summary>
public class CheckTests
{
    [Fact]
    public void A_valid_bundle_passes_with_its_manifest_and_nothing_changes()
    {
        using var root = new TempUpdatesRoot();
        var before = root.Snapshot();
        var refused = root.Updater().Check(root.WriteBundle(BundleFactory.Release("1.1.0")), out var manifest);
        Assert.Null(refused);
        Assert.Equal((BundleKind.Release, "1.1.0"), (manifest!.Kind, manifest.Version.ToString()));
        Assert.Equal(before, root.Snapshot());
        Assert.Empty(root.Restarter.Restarts);
    }

    [Fact]
    public async Task A_tampered_bundle_is_refused_with_the_reason_import_gives_and_nothing_changes()
    {
        using var root = new TempUpdatesRoot();
        var before = root.Snapshot();
        var bytes = BundleFactory.Release("1.1.0");
        bytes[bytes.Length / 2] ^= 0x01;
        var path = root.WriteBundle(bytes);
        var refused = root.Updater().Check(path, out var manifest);
        Assert.NotNull(refused);
        Assert.Null(manifest);
        Assert.Equal(UpdateResult.Refused, refused.Result);
        var imported = await root.Updater().ImportAsync(path, default);
        Assert.Equal((imported.Result, imported.Message, imported.Error), (refused.Result, refused.Message, refused.Error));
        Assert.Equal(before, root.Snapshot());
    }

    [Fact]
    public void Without_pinned_root_metadata_every_bundle_is_refused()
    {
        using var root = new TempUpdatesRoot();
        File.Delete(root.Paths.RootMetadata);
        var refused = root.Updater().Check(root.WriteBundle(BundleFactory.Release("1.1.0")), out _);
        Assert.Equal(BundleError.TrustRootInvalid, refused!.Error);
    }
}
