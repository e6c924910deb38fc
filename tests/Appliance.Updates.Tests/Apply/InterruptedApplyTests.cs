using Appliance.Updates.Apply;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.Apply;

/// <summary>
/// A process killed at any step (simulated by throwing from the step hook) leaves `current` naming a complete
/// release, and recovery on the next start either completes the apply or rolls it back.
/// </summary>
public class InterruptedApplyTests
{
    private sealed class SimulatedKill : Exception;

    public static TheoryData<ApplyStep> Steps() => new(Enum.GetValues<ApplyStep>());

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_release_apply_killed_at_any_step_leaves_a_bootable_release_and_recovers(ApplyStep killAt)
    {
        using var root = new TempUpdatesRoot();
        var bundle = root.WriteBundle(BundleFactory.Release("1.1.0"));
        var killed = root.Updater(step => { if (step == killAt) { throw new SimulatedKill(); } });

        await Assert.ThrowsAsync<SimulatedKill>(() => killed.ImportAsync(bundle, default));

        // Right after the kill: systemd would start a complete binary, old or new.
        var booted = root.CurrentBinary();
        Assert.True(booted is not null, $"killed at {killAt}: current names no binary");
        Assert.True(booted!.SequenceEqual(BundleFactory.BinaryFor("1.0.0")) || booted.SequenceEqual(BundleFactory.BinaryFor("1.1.0")));

        var recovered = await root.Updater().RecoverAsync(restart: false, default);

        var completes = killAt is ApplyStep.HealthChecked or ApplyStep.Committed;
        var expected = completes ? "1.1.0" : "1.0.0";
        Assert.True(recovered.Succeeded, recovered.Message);
        Assert.Equal("releases/" + expected, root.CurrentTarget());
        Assert.Equal(BundleFactory.BinaryFor(expected), root.CurrentBinary());
        var status = root.Updater().Status();
        Assert.Null(status.Pending);
        Assert.Equal(expected, status.Current);
        Assert.False(Directory.Exists(root.Paths.Staging));
        Assert.Empty(Directory.EnumerateFileSystemEntries(root.Paths.Root, ".*.tmp-*"));
        if (!completes)
        {
            Assert.False(Directory.Exists(root.Paths.Release(ApplianceVersion.Parse("1.1.0"))));
            var retry = await root.Updater().ImportAsync(bundle, default);
            Assert.Equal(UpdateResult.Applied, retry.Result);
            Assert.Equal("releases/1.1.0", root.CurrentTarget());
        }
    }

    [Theory]
    [InlineData(ApplyStep.Journaled, "")]
    [InlineData(ApplyStep.Staged, "")]
    [InlineData(ApplyStep.Switched, "new")]
    [InlineData(ApplyStep.Committed, "new")]
    public async Task A_content_apply_killed_at_any_step_completes_or_keeps_the_old_content(ApplyStep killAt, string expect)
    {
        using var root = new TempUpdatesRoot();
        Assert.True((await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Content("2.0.0", "old"), "old.aupd"), default)).Succeeded);
        var bundle = root.WriteBundle(BundleFactory.Content("2.1.0", "new"), "new.aupd");
        var killed = root.Updater(step => { if (step == killAt) { throw new SimulatedKill(); } });

        await Assert.ThrowsAsync<SimulatedKill>(() => killed.ImportAsync(bundle, default));
        await root.Updater().RecoverAsync(restart: false, default);

        var marker = expect == "new" ? "new" : "old";
        Assert.Equal(BundleFactory.ContentPayload(marker)[Updates.Bundles.PayloadRole.Policy],
            File.ReadAllBytes(Path.Combine(root.Paths.Content, "policy.hujson")));
        Assert.Equal(expect == "new" ? "2.1.0" : "2.0.0", root.Updater().Status().Content);
        Assert.Null(root.Updater().Status().Pending);
    }

    [Fact]
    public async Task An_interrupted_apply_is_recovered_before_the_next_import()
    {
        using var root = new TempUpdatesRoot();
        var killed = root.Updater(step => { if (step == ApplyStep.Restarted) { throw new SimulatedKill(); } });
        await Assert.ThrowsAsync<SimulatedKill>(() => killed.ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default));

        var outcome = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.2.0"), "b2.aupd"), default);

        Assert.Equal(UpdateResult.Applied, outcome.Result);
        Assert.Equal("1.0.0", root.Updater().Status().Previous);
        Assert.Contains(root.Updater().History(), e => e.Action == "recover" && e.Outcome == "rolled-back");
    }
}
