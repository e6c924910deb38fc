using Appliance.TestKit.Time;
using System.Security.Cryptography;
using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.Apply;

/// <summary>Issue 13: the first install from a signed bundle, the created-date check, and pruning old versions.</summary>
public sealed class InstallAndPruneTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "appliance-install-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private (Updater Updater, UpdatePaths Paths) FreshRoot()
    {
        var paths = new UpdatePaths(Path.Combine(_folder, "updates"), Path.Combine(_folder, "releases"));
        var updater = new Updater(paths, new UpdaterOptions { BinaryRole = PayloadRole.ApplianceLinuxX64 }, new FakeRestarter(), new FakeProbe(), TestTime.Create(BundleFactory.Now));
        Assert.True(updater.ImportRoot(TestKeys.RootV1.ToFileBytes(), install: true).IsAccepted);
        return (updater, paths);
    }

    private string Write(byte[] bundle, string name)
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bundle);
        return path;
    }

    [Fact]
    public void The_first_install_takes_the_binary_from_a_verified_bundle_and_points_current_at_it()
    {
        var (updater, paths) = FreshRoot();

        var outcome = updater.InstallFirstRelease(Write(BundleFactory.Release("1.0.0"), "a.aupd"));

        Assert.Equal(UpdateResult.Applied, outcome.Result);
        Assert.Equal(paths.ReleaseLinkTarget(ApplianceVersion.Parse("1.0.0")), LinkSwitch.Target(paths.Current));
        Assert.Equal(BundleFactory.BinaryFor("1.0.0"), File.ReadAllBytes(Path.Combine(paths.Current, "appliance")));
        Assert.Equal("1.0.0", updater.Status().Current);
        Assert.Equal(("install", "applied"), (updater.History()[^1].Action, updater.History()[^1].Outcome));

        var again = updater.InstallFirstRelease(Write(BundleFactory.Release("1.0.0"), "b.aupd"));
        Assert.Equal(UpdateResult.Applied, again.Result);
        Assert.Contains("already installed", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_install_from_a_bundle_without_the_signature_threshold_installs_nothing()
    {
        var (updater, paths) = FreshRoot();

        var outcome = updater.InstallFirstRelease(Write(BundleFactory.Release("1.0.0", signers: [TestKeys.Signer1]), "a.aupd"));

        Assert.Equal(BundleError.SignatureThresholdNotMet, outcome.Error);
        Assert.Null(LinkSwitch.Target(paths.Current));
        Assert.False(Directory.Exists(paths.Release(ApplianceVersion.Parse("1.0.0"))));
    }

    [Fact]
    public async Task A_bundle_created_beyond_the_clock_skew_is_refused_and_one_within_it_is_accepted()
    {
        using var root = new TempUpdatesRoot();
        var payload = BundleFactory.ReleasePayload("1.1.0");
        var future = BundleFactory.Write(BundleFactory.Manifest(BundleKind.Release, "1.1.0", payload, created: BundleFactory.Now.AddHours(2)), payload, TestKeys.Signer1, TestKeys.Signer2);
        var skewed = BundleFactory.Write(BundleFactory.Manifest(BundleKind.Release, "1.1.0", payload, created: BundleFactory.Now.AddMinutes(5)), payload, TestKeys.Signer1, TestKeys.Signer2);

        var refused = await root.Updater().ImportAsync(root.WriteBundle(future, "future.aupd"), default);
        Assert.Equal(BundleError.CreatedInFuture, refused.Error);
        Assert.Contains("clock", refused.Message, StringComparison.Ordinal);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());

        var accepted = await root.Updater().ImportAsync(root.WriteBundle(skewed, "skewed.aupd"), default);
        Assert.Equal(UpdateResult.Applied, accepted.Result);
    }

    [Fact]
    public async Task After_each_successful_update_only_the_newest_releases_and_contents_stay()
    {
        using var root = new TempUpdatesRoot();
        foreach (var version in new[] { "1.1.0", "1.2.0", "1.3.0", "1.4.0" })
        {
            Assert.Equal(UpdateResult.Applied, (await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release(version), version + ".aupd"), default)).Result);
        }

        foreach (var version in new[] { "2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0" })
        {
            Assert.Equal(UpdateResult.Applied, (await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Content(version, version), "c" + version + ".aupd"), default)).Result);
        }

        Assert.Equal(["1.2.0", "1.3.0", "1.4.0"], Directory.EnumerateDirectories(root.Paths.Releases).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal));
        Assert.Equal(["2.2.0", "2.3.0", "2.4.0"], Directory.EnumerateDirectories(root.Paths.Contents).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal));
        Assert.Equal("1.3.0", root.Updater().Status().Previous);
    }
}
