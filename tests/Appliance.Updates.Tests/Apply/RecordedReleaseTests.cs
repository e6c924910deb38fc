using Appliance.TestKit;
using Appliance.Updates.Apply;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.Apply;

/// <summary>
/// Recovery as root runs it before every start (checks given): it never follows what the service user could have
/// planted in the updates root (a lock link, a state.json link, a `current` re-pointed at its own folder), checks the
/// record before it trusts it, and falls back to the known-good release. Needs root (chown to nobody); CI runs as root.
/// </summary>
[Trait("Category", "Root")]
[Collection(RecordedReleaseTests.Alone)]
public sealed class RecordedReleaseTests
{
    /// <summary>
    /// Run alone: these tests fork chown/stat, and a forked child holds every open file description of the test process
    /// until its exec, the flock of another test's update.lock included, so that test's next lock would find it busy.
    /// </summary>
    public const string Alone = "recorded release tests fork";

    /// <summary>nobody: a real user other than root on every Debian machine.</summary>
    private const string Nobody = "65534";

    private static readonly ApplianceVersion KnownGood = ApplianceVersion.Parse("1.0.0");

    [Fact]
    public async Task A_current_link_re_pointed_at_a_service_owned_folder_is_pointed_back_at_the_recorded_release()
    {
        using var root = RootOwned();
        var planted = PlantedFolder(root, "planted-release", "#!/bin/sh\necho attacker\n");
        LinkSwitch.Point(root.Paths.Current, planted);
        var findings = new List<RecoverFinding>();

        var outcome = await root.Updater().RecoverAsync(restart: false, Checks(findings), default);

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
        Assert.Equal(BundleFactory.BinaryFor("1.0.0"), root.CurrentBinary());
        var finding = Assert.Single(findings);
        Assert.Equal(RecoverFindingKind.CurrentRepointed, finding.Kind);
        Assert.Contains($"current named {planted} instead of the recorded release 1.0.0", finding.Detail, StringComparison.Ordinal);
        Assert.Equal($"{Nobody}:{Nobody} 755", Stat(planted));
        Assert.Equal("#!/bin/sh\necho attacker\n", await File.ReadAllTextAsync(Path.Combine(planted, "appliance")));
        Assert.Contains(root.Updater().History(), e => e.Action == "recover" && e.Detail == finding.Detail);
    }

    [Fact]
    public async Task A_state_json_link_is_never_read_and_recovery_falls_back_to_the_known_good_release()
    {
        using var root = RootOwned();
        var planted = PlantedFolder(root, "planted-release", "#!/bin/sh\n");
        var plantedState = Path.Combine(root.Directory, "planted-state.json");
        await File.WriteAllTextAsync(plantedState, """{"version":1,"current":"9.9.9","previous":null,"content":null,"previous_content":null,"pending":null}""");
        HostCommand.Run("chown", Nobody + ":" + Nobody, plantedState);
        var before = File.GetLastWriteTimeUtc(plantedState);
        File.Delete(root.Paths.State);
        File.CreateSymbolicLink(root.Paths.State, plantedState);
        LinkSwitch.Point(root.Paths.Current, planted);
        var findings = new List<RecoverFinding>();

        var outcome = await root.Updater().RecoverAsync(restart: false, Checks(findings), default);

        Assert.True(outcome.Succeeded, outcome.Message);
        var finding = Assert.Single(findings);
        Assert.Equal(RecoverFindingKind.StateUntrusted, finding.Kind);
        Assert.Contains($"{root.Paths.State} is a symbolic link; falling back to the known-good release 1.0.0", finding.Detail, StringComparison.Ordinal);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
        Assert.Null(new FileInfo(root.Paths.State).LinkTarget);
        Assert.Equal("0", HostCommand.Run("stat", "-c", "%u", root.Paths.State).Trim());
        Assert.Equal("1.0.0", root.Updater().Status().Current);
        Assert.Contains("9.9.9", await File.ReadAllTextAsync(plantedState), StringComparison.Ordinal);
        Assert.Equal(before, File.GetLastWriteTimeUtc(plantedState));
        Assert.Equal($"{Nobody}:{Nobody}", HostCommand.Run("stat", "-c", "%u:%g", plantedState).Trim());
    }

    [Fact]
    public async Task A_service_owned_state_json_is_not_trusted_even_when_the_ownership_repair_gives_it_to_root_first()
    {
        using var root = RootOwned();
        new UpdateJournal(root.Paths).SaveState(new UpdateStateDocument(1, "9.9.9", null, null, null, null));
        HostCommand.Run("chown", Nobody + ":" + Nobody, root.Paths.State);
        var findings = new List<RecoverFinding>();
        var repaired = false;

        // The repair (BeforeRecovery) makes the planted file root's; the record was read before it, so it still fails.
        var checks = new RecoverChecks(KnownGood, () =>
        {
            HostCommand.Run("chown", "0:0", root.Paths.State);
            repaired = true;
        }, findings.Add);
        var outcome = await root.Updater().RecoverAsync(restart: false, checks, default);

        Assert.True(repaired);
        Assert.True(outcome.Succeeded, outcome.Message);
        var finding = Assert.Single(findings);
        Assert.Equal(RecoverFindingKind.StateUntrusted, finding.Kind);
        Assert.Contains($"{root.Paths.State} belongs to uid {Nobody}, not 0", finding.Detail, StringComparison.Ordinal);
        Assert.Equal("1.0.0", root.Updater().Status().Current);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
    }

    [Fact]
    public async Task An_updates_root_the_service_user_owns_is_not_trusted_and_a_missing_known_good_release_changes_nothing()
    {
        using var root = RootOwned();
        HostCommand.Run("chown", Nobody + ":" + Nobody, root.Paths.Root);
        var findings = new List<RecoverFinding>();
        var snapshot = root.Snapshot();

        var outcome = await root.Updater().RecoverAsync(restart: false, new RecoverChecks(ApplianceVersion.Parse("7.0.0"), null, findings.Add), default);

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Collection(findings,
            f => Assert.Equal((RecoverFindingKind.StateUntrusted, true), (f.Kind, f.Detail.Contains($"{root.Paths.Root} belongs to uid {Nobody}", StringComparison.Ordinal))),
            f => Assert.Equal((RecoverFindingKind.KnownGoodUnavailable, true), (f.Kind, f.Detail.Contains("cannot return to 7.0.0", StringComparison.Ordinal))));
        var after = root.Snapshot();
        after.Remove("update.lock");
        snapshot.Remove("update.lock");
        Assert.Equal(snapshot, after);
    }

    [Fact]
    public async Task A_trusted_record_that_matches_current_changes_nothing_and_reports_nothing()
    {
        using var root = RootOwned();
        var findings = new List<RecoverFinding>();
        var snapshot = root.Snapshot();

        var outcome = await root.Updater().RecoverAsync(restart: false, Checks(findings), default);

        Assert.Equal(UpdateResult.NothingToDo, outcome.Result);
        Assert.Empty(findings);
        Assert.Equal(snapshot, root.Snapshot());
    }

    [Fact]
    public async Task An_update_lock_link_to_a_file_outside_is_never_followed_by_any_update_command()
    {
        using var root = RootOwned();
        var outside = Path.Combine(root.Directory, "outside-file");
        await File.WriteAllTextAsync(outside, "not the updater's");
        var before = File.GetLastWriteTimeUtc(outside);
        var lockPath = Path.Combine(root.Paths.Root, "update.lock");
        File.Delete(lockPath);
        File.CreateSymbolicLink(lockPath, outside);

        var refused = await Assert.ThrowsAsync<UnsafeUpdatePathException>(() => root.Updater().RollbackAsync(default));
        Assert.Equal(lockPath, refused.Path);
        Assert.Contains($"{lockPath} is a symbolic link: not followed", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnsafeUpdatePathException>(() => root.Updater().RecoverAsync(restart: false, default));
        Assert.Equal(outside, new FileInfo(lockPath).LinkTarget);

        // Recovery before a start replaces the link itself and goes on; the file it named is untouched.
        var findings = new List<RecoverFinding>();
        var outcome = await root.Updater().RecoverAsync(restart: false, Checks(findings), default);

        Assert.True(outcome.Succeeded, outcome.Message);
        var finding = Assert.Single(findings);
        Assert.Equal(RecoverFindingKind.LockReplaced, finding.Kind);
        Assert.Null(new FileInfo(lockPath).LinkTarget);
        Assert.Equal("0:0 644", Stat(lockPath));
        Assert.Equal("not the updater's", await File.ReadAllTextAsync(outside));
        Assert.Equal(before, File.GetLastWriteTimeUtc(outside));
        Assert.Equal(UpdateResult.Refused, (await root.Updater().RollbackAsync(default)).Result); // lock usable again: refused only for want of a previous release
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("mode")]
    [InlineData("hardlink")]
    [InlineData("folder")]
    public async Task An_update_lock_that_is_not_a_private_regular_file_of_root_is_refused(string how)
    {
        using var root = RootOwned();
        var lockPath = Path.Combine(root.Paths.Root, "update.lock");
        File.Delete(lockPath);
        var expected = how switch
        {
            "owner" => $"belongs to uid {Nobody}, not 0",
            "mode" => "is writable by group or others",
            "hardlink" => "has 2 hard links",
            _ => "cannot be opened as a plain file",
        };
        switch (how)
        {
            case "owner":
                await File.WriteAllTextAsync(lockPath, "");
                HostCommand.Run("chown", Nobody, lockPath);
                break;
            case "mode":
                await File.WriteAllTextAsync(lockPath, "");
                HostCommand.Run("chmod", "0666", lockPath);
                break;
            case "hardlink":
                var elsewhere = Path.Combine(root.Directory, "elsewhere");
                await File.WriteAllTextAsync(elsewhere, "");
                HostCommand.Run("ln", elsewhere, lockPath);
                break;
            default:
                Directory.CreateDirectory(lockPath);
                break;
        }

        var refused = await Assert.ThrowsAsync<UnsafeUpdatePathException>(() => root.Updater().RollbackAsync(default));
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_updates_root_that_is_a_link_is_neither_locked_nor_written_through()
    {
        using var root = RootOwned();
        var elsewhere = Path.Combine(root.Directory, "elsewhere");
        Directory.Move(root.Paths.Root, elsewhere);
        File.CreateSymbolicLink(root.Paths.Root, elsewhere);
        File.Delete(Path.Combine(elsewhere, "update.lock"));
        var before = Directory.GetFileSystemEntries(elsewhere).Order(StringComparer.Ordinal).ToArray();
        var findings = new List<RecoverFinding>();
        var repaired = false;

        var outcome = await root.Updater().RecoverAsync(restart: false, new RecoverChecks(KnownGood, () => repaired = true, findings.Add), default);
        var refused = await Assert.ThrowsAsync<UnsafeUpdatePathException>(() => root.Updater().RollbackAsync(default));

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.True(repaired);
        var finding = Assert.Single(findings);
        Assert.Equal(RecoverFindingKind.StateUntrusted, finding.Kind);
        Assert.Contains($"{root.Paths.Root} is a symbolic link; nothing read or written through it", finding.Detail, StringComparison.Ordinal);
        Assert.Contains("is a symbolic link or not a folder", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(elsewhere).Order(StringComparer.Ordinal).ToArray());
    }

    private static RecoverChecks Checks(List<RecoverFinding> findings) => new(KnownGood, null, findings.Add);

    /// <summary>The test's updates root as root's (its temp folder may be group-writable under the caller's umask).</summary>
    private static TempUpdatesRoot RootOwned()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root (chown); CI runs as root");
        var root = new TempUpdatesRoot();
        HostCommand.Run("chown", "-R", "0:0", root.Directory);
        HostCommand.Run("chmod", "-R", "go-w", root.Directory);
        return root;
    }

    /// <summary>A folder of the service user's (nobody) outside the updates root, with an `appliance` in it.</summary>
    private static string PlantedFolder(TempUpdatesRoot root, string name, string binary)
    {
        var folder = Path.Combine(root.Directory, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "appliance"), binary);
        HostCommand.Run("chmod", "0755", folder, Path.Combine(folder, "appliance"));
        HostCommand.Run("chown", "-R", Nobody + ":" + Nobody, folder);
        return folder;
    }

    private static string Stat(string path) => HostCommand.Run("stat", "-c", "%u:%g %a", path).Trim();

}

/// <summary>See <see cref="RecordedReleaseTests.Alone"/>.</summary>
[CollectionDefinition(RecordedReleaseTests.Alone, DisableParallelization = true)]
public sealed class RecordedReleaseTestsRunAlone;
