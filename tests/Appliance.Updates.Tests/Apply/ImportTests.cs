using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Versioning;
using static Appliance.Updates.Tests.TestSupport.TestKeys;

namespace Appliance.Updates.Tests.Apply;

public class ImportTests
{
    [Fact]
    public async Task A_valid_release_is_staged_switched_restarted_health_checked_and_committed()
    {
        using var root = new TempUpdatesRoot();
        root.Restarter.Watch = root.Paths;
        var outcome = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default);

        Assert.Equal(UpdateResult.Applied, outcome.Result);
        Assert.Equal("releases/1.1.0", root.CurrentTarget());
        Assert.Equal(BundleFactory.BinaryFor("1.1.0"), root.CurrentBinary());
        Assert.Equal(["releases/1.1.0"], root.Restarter.Restarts);
        Assert.Equal([ApplianceVersion.Parse("1.1.0")], root.Probe.Probed);
        Assert.True(File.Exists(root.Paths.ReleaseBinary(ApplianceVersion.Parse("1.0.0"))), "the previous release stays for rollback");
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(root.Paths.ReleaseBinary(ApplianceVersion.Parse("1.1.0"))) & UnixFileMode.UserExecute) != 0);
        }
        var status = root.Updater().Status();
        Assert.Equal("1.1.0", status.Current);
        Assert.Equal("1.0.0", status.Previous);
        Assert.Null(status.Pending);
        Assert.False(Directory.Exists(root.Paths.Staging) && Directory.EnumerateFileSystemEntries(root.Paths.Staging).Any());
        var last = root.Updater().History()[^1];
        Assert.Equal(("import", "1.1.0", "applied"), (last.Action, last.Version, last.Outcome));
    }

    [Fact]
    public async Task A_release_that_fails_its_health_check_is_rolled_back_automatically()
    {
        using var root = new TempUpdatesRoot();
        root.Restarter.Watch = root.Paths;
        root.Probe.Healthy = v => v != ApplianceVersion.Parse("1.1.0");

        var outcome = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default);

        Assert.Equal(UpdateResult.RolledBack, outcome.Result);
        Assert.Contains("did not become healthy", outcome.Message, StringComparison.Ordinal);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
        Assert.Equal(BundleFactory.BinaryFor("1.0.0"), root.CurrentBinary());
        Assert.Equal(["releases/1.1.0", "releases/1.0.0"], root.Restarter.Restarts);
        Assert.False(Directory.Exists(root.Paths.Release(ApplianceVersion.Parse("1.1.0"))));
        Assert.Equal("1.0.0", root.Updater().Status().Current);
        Assert.Equal("rolled-back", root.Updater().History()[^1].Outcome);
    }

    [Fact]
    public async Task A_healthy_answer_from_the_old_release_is_a_failed_health_check_and_rolls_back()
    {
        // The restart "did not take": the port keeps answering ready, but as 1.0.0. The real probe must not accept it.
        using var root = new TempUpdatesRoot();
        root.Restarter.Watch = root.Paths;
        await using var oldRelease = new LoopbackReadyServer("1.0.0+old");
        var probe = new HttpReadyProbe(oldRelease.Port, TimeProvider.System);

        var outcome = await root.Updater(healthTimeout: TimeSpan.FromSeconds(3), probe: probe).ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default);

        Assert.Equal(UpdateResult.RolledBack, outcome.Result);
        Assert.Contains("did not become healthy", outcome.Message, StringComparison.Ordinal);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
        Assert.Equal(["releases/1.1.0", "releases/1.0.0"], root.Restarter.Restarts);
        Assert.Equal("rolled-back", root.Updater().History()[^1].Outcome);
    }

    [Fact]
    public async Task A_release_whose_restart_fails_is_rolled_back()
    {
        using var root = new TempUpdatesRoot();
        var calls = 0;
        root.Restarter.OnRestart = () => ++calls == 1 ? throw new InvalidOperationException("unit failed") : Task.CompletedTask;

        var outcome = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default);

        Assert.Equal(UpdateResult.RolledBack, outcome.Result);
        Assert.Contains("unit failed", outcome.Message, StringComparison.Ordinal);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
    }

    public static TheoryData<string, BundleError> BadBundles() => new()
    {
        { "unsigned", BundleError.SignatureThresholdNotMet },
        { "one-signature", BundleError.SignatureThresholdNotMet },
        { "repeated-signature", BundleError.SignatureThresholdNotMet },
        { "unknown-key", BundleError.SignatureThresholdNotMet },
        { "expired", BundleError.Expired },
        { "same-version", BundleError.NotNewer },
        { "older-version", BundleError.NotNewer },
        { "below-minimum", BundleError.BelowMinimumVersion },
        { "truncated", BundleError.Truncated },
        { "changed-payload-byte", BundleError.HashMismatch },
        { "changed-manifest-byte", BundleError.SignatureThresholdNotMet },
        { "path-traversal", BundleError.UnsafePath },
        { "absolute-path", BundleError.UnsafePath },
        { "symlink", BundleError.NotARegularFile },
        { "huge-size", BundleError.TooLarge },
        { "size-mismatch", BundleError.SizeMismatch },
        { "not-a-bundle", BundleError.NotABundle },
    };

    [Theory]
    [MemberData(nameof(BadBundles))]
    public async Task A_bad_bundle_is_refused_with_its_reason_and_changes_nothing(string kind, BundleError expected)
    {
        using var root = new TempUpdatesRoot();
        var before = root.Snapshot();

        var outcome = await root.Updater().ImportAsync(root.WriteBundle(Bad(kind)), default);

        Assert.Equal(UpdateResult.Refused, outcome.Result);
        Assert.Equal(expected, outcome.Error);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Message));
        Assert.Equal(before, root.Snapshot());
        Assert.Empty(root.Restarter.Restarts);
    }

    [Fact]
    public async Task A_bundle_with_any_sampled_byte_changed_changes_nothing_on_the_appliance()
    {
        using var root = new TempUpdatesRoot();
        var before = root.Snapshot();
        var bytes = BundleFactory.Release("1.1.0");
        for (var i = 0; i < bytes.Length; i += 11)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x01;
            var outcome = await root.Updater().ImportAsync(root.WriteBundle(copy), default);
            Assert.True(outcome.Result == UpdateResult.Refused, $"byte {i}: {outcome.Message}");
        }

        Assert.Equal(before, root.Snapshot());
    }

    [Fact]
    public async Task A_missing_bundle_file_is_refused_without_changes()
    {
        using var root = new TempUpdatesRoot();
        var before = root.Snapshot();
        var outcome = await root.Updater().ImportAsync(Path.Combine(root.Directory, "nope.aupd"), default);
        Assert.Equal(BundleError.Io, outcome.Error);
        Assert.Equal(before, root.Snapshot());
    }

    [Fact]
    public async Task A_content_bundle_is_applied_without_switching_the_binary()
    {
        using var root = new TempUpdatesRoot();
        var outcome = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Content("2.0.0", "first")), default);

        Assert.Equal(UpdateResult.Applied, outcome.Result);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
        Assert.Empty(root.Restarter.Restarts);
        Assert.Equal(BundleFactory.ContentPayload("first")[PayloadRole.Policy], File.ReadAllBytes(Path.Combine(root.Paths.Content, "policy.hujson")));
        Assert.True(File.Exists(Path.Combine(root.Paths.Content, "derp-map.json")));
        Assert.Equal("2.0.0", root.Updater().Status().Content);

        var again = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Content("2.0.0", "replay")), default);
        Assert.Equal(BundleError.NotNewer, again.Error);

        var newer = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Content("2.0.1", "second")), default);
        Assert.Equal(UpdateResult.Applied, newer.Result);
        Assert.Equal(BundleFactory.ContentPayload("second")[PayloadRole.Policy], File.ReadAllBytes(Path.Combine(root.Paths.Content, "policy.hujson")));
    }

    [Fact]
    public async Task A_release_carrying_content_applies_the_content_after_it_is_healthy()
    {
        using var root = new TempUpdatesRoot();
        var payload = BundleFactory.ReleasePayload("1.1.0");
        payload[PayloadRole.CaTrust] = "-----BEGIN CERTIFICATE-----\n"u8.ToArray();
        var bytes = BundleFactory.Write(BundleFactory.Manifest(BundleKind.Release, "1.1.0", payload), payload, Signer1, Signer3);

        var outcome = await root.Updater().ImportAsync(root.WriteBundle(bytes), default);

        Assert.Equal(UpdateResult.Applied, outcome.Result);
        Assert.Equal(payload[PayloadRole.CaTrust], File.ReadAllBytes(Path.Combine(root.Paths.Content, "ca-trust.pem")));
    }

    [Fact]
    public async Task The_operator_can_roll_back_to_the_previous_release_and_import_forward_again()
    {
        using var root = new TempUpdatesRoot();
        Assert.Equal(UpdateResult.Applied, (await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default)).Result);

        var back = await root.Updater().RollbackAsync(default);

        Assert.Equal(UpdateResult.RolledBack, back.Result);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
        Assert.Equal("1.0.0", root.Updater().Status().Current);
        Assert.Equal("1.1.0", root.Updater().Status().Previous);
        Assert.Equal(UpdateResult.Applied, (await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.2.0")), default)).Result);
    }

    [Fact]
    public async Task Rollback_without_a_previous_release_is_refused()
    {
        using var root = new TempUpdatesRoot();
        var before = root.Snapshot();
        Assert.Equal(UpdateResult.Refused, (await root.Updater().RollbackAsync(default)).Result);
        Assert.Equal(before, root.Snapshot());
    }

    private static byte[] Bad(string kind)
    {
        var good = BundleFactory.Release("1.1.0");
        var payload = BundleFactory.ReleasePayload("1.1.0");
        var manifest = BundleFactory.Manifest(BundleKind.Release, "1.1.0", payload);
        var binary = payload[PayloadRole.ApplianceLinuxX64];
        byte[] Raw(string name, byte type, long size, byte[] data)
        {
            using var s = new MemoryStream();
            BundleWriter.WriteHeader(s, manifest.Bytes, [BundleSignature.Create(Signer1, manifest), BundleSignature.Create(Signer2, manifest)], 1);
            BundleWriter.WriteEntryHeader(s, name, size, type);
            s.Write(data);
            return s.ToArray();
        }

        switch (kind)
        {
            case "unsigned": return BundleFactory.Write(manifest, payload);
            case "one-signature": return BundleFactory.Release("1.1.0", signers: [Signer1]);
            case "repeated-signature": return BundleFactory.Write(manifest, payload, Signer1, Signer1);
            case "unknown-key": return BundleFactory.Release("1.1.0", signers: [Signer1, Outsider]);
            case "expired": return BundleFactory.Release("1.1.0", expires: BundleFactory.Now.AddDays(-1));
            case "same-version": return BundleFactory.Release("1.0.0", minVersion: "0.0.0");
            case "older-version": return BundleFactory.Release("0.9.0", minVersion: "0.0.0");
            case "below-minimum": return BundleFactory.Release("2.0.0", minVersion: "1.5.0");
            case "truncated": return good[..^5];
            case "changed-payload-byte":
                good[^3] ^= 0x01;
                return good;
            case "changed-manifest-byte":
                good[BundleLayout.HeaderSize + 20] ^= 0x01;
                return good;
            case "path-traversal": return Raw("../../bin/appliance", BundleLayout.RegularFile, binary.Length, binary);
            case "absolute-path": return Raw("/usr/bin/appliance", BundleLayout.RegularFile, binary.Length, binary);
            case "symlink": return Raw("linux-x64/appliance", (byte)'2', 0, []);
            case "huge-size": return Raw("linux-x64/appliance", BundleLayout.RegularFile, 1L << 40, binary);
            case "size-mismatch": return Raw("linux-x64/appliance", BundleLayout.RegularFile, binary.Length - 1, binary[..^1]);
            default: return "#!/bin/sh\nrm -rf /\n"u8.ToArray();
        }
    }
}

public class SeparateReleasesDirTests
{
    [Fact]
    public async Task Releases_can_live_outside_the_updates_root_and_current_still_switches_atomically()
    {
        using var root = new TempUpdatesRoot();
        var paths = new UpdatePaths(root.Paths.Root + "-2", Path.Combine(root.Directory, "releases-elsewhere"));
        var seed = Path.Combine(root.Directory, "seed");
        File.WriteAllBytes(seed, BundleFactory.BinaryFor("1.0.0"));
        var updater = new Updater(paths, new UpdaterOptions { BinaryRole = PayloadRole.ApplianceLinuxX64 }, root.Restarter, root.Probe, root.Time);
        Assert.True(updater.ImportRoot(TestKeys.RootV1.ToFileBytes(), install: true).IsAccepted);
        updater.AdoptInstalledRelease(ApplianceVersion.Parse("1.0.0"), seed);

        var outcome = await updater.ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default);

        Assert.Equal(UpdateResult.Applied, outcome.Result);
        Assert.Equal("../releases-elsewhere/1.1.0", LinkSwitch.Target(paths.Current));
        Assert.Equal(BundleFactory.BinaryFor("1.1.0"), File.ReadAllBytes(Path.Combine(paths.Current, "appliance")));
    }
}

public class UpdateLockTests
{
    [Fact]
    public async Task An_import_while_another_update_command_holds_the_lock_is_refused_and_changes_nothing()
    {
        using var root = new TempUpdatesRoot();
        var before = root.Snapshot();
        using (new FileStream(Path.Combine(root.Paths.Root, "update.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var outcome = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default);
            Assert.Equal(UpdateResult.Refused, outcome.Result);
            Assert.Contains("another update command", outcome.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, root.Snapshot());
        Assert.Equal(UpdateResult.Applied, (await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default)).Result);
    }
}
