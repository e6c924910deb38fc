using System.Runtime.InteropServices;
using Appliance.TestKit;
using Appliance.Updates.Apply;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Trust;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.Apply;

/// <summary>
/// Decision 0112's pin of the trust root and what root writes for the service to read. The installed appliance verifies
/// bundles only against root's own root.json (/usr/local/lib/appliance; here DIR/lib) read without following a link and
/// only when it is root's; a root.json in the data folder, which the service user can swap, is ignored, and an old
/// install's copy moves to the pin once (only when root could have written it). Root's rewrites of the record under the
/// unit's UMask=0077 stay readable by the service (the drill's console upload failed on a 0600 state.json).
/// Needs root (chown to nobody, umask of this process); CI runs as root.
/// </summary>
[Trait("Category", "Root")]
[Collection(RecordedReleaseTests.Alone)]
public sealed partial class PinnedRootTests
{
    private const string Nobody = "65534";

    private static readonly ApplianceVersion KnownGood = ApplianceVersion.Parse("1.0.0");

    /// <summary>Root metadata of the attacker's own keys: self-signed, so valid on its own.</summary>
    private static RootMetadata Planted { get; } =
        RootMetadata.Create(1, [TestKeys.Outsider.Public], 1, [TestKeys.Outsider.Public], 1).WithSignature(TestKeys.Outsider);

    [Fact]
    public async Task A_root_json_planted_in_the_data_folder_is_ignored_and_only_root_s_pin_verifies_bundles()
    {
        using var root = RootOwned(pinOutside: true);
        await File.WriteAllBytesAsync(root.Paths.DataFolderRootMetadata, Planted.ToFileBytes());
        var findings = new List<RecoverFinding>();

        // Recovery as root leaves it alone: the pin exists, so nothing is moved and nothing trusts the planted file.
        var recovered = await root.Updater().RecoverAsync(restart: false, new RecoverChecks(KnownGood, null, findings.Add), default);
        Assert.True(recovered.Succeeded, recovered.Message);
        Assert.Empty(findings);

        var attackerBundle = root.WriteBundle(BundleFactory.Release("9.0.0", signers: [TestKeys.Outsider]), "attacker.aupd");
        Assert.NotNull(root.Updater().Check(attackerBundle, out _));
        var attacker = await root.Updater().ImportAsync(attackerBundle, default);
        Assert.False(attacker.Succeeded, attacker.Message);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());

        var good = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default);
        Assert.True(good.Succeeded, good.Message);
        Assert.Equal("releases/1.1.0", root.CurrentTarget());
        Assert.Equal(1, root.Updater().Status().RootVersion);
        Assert.Equal(Planted.ToFileBytes(), await File.ReadAllBytesAsync(root.Paths.DataFolderRootMetadata));
    }

    public static TheoryData<string, string> UnsafePins => new()
    {
        { "chown nobody file", $"belongs to uid {Nobody}, not root" },
        { "chmod 0666 file", "is writable by group or others (mode 666)" },
        { "chown nobody folder", $"belongs to uid {Nobody}, not root" },
        { "link file", "is a symbolic link: not followed" },
        { "link folder", "is a symbolic link or not a folder" },
        { "hard-link file", "has 2 hard links" },
    };

    [Theory]
    [MemberData(nameof(UnsafePins))]
    public async Task A_pin_root_could_not_have_written_alone_verifies_nothing(string change, string reason)
    {
        using var root = RootOwned(pinOutside: true);
        var pin = root.Paths.RootMetadata;
        var folder = Path.GetDirectoryName(pin)!;
        switch (change)
        {
            case "chown nobody file":
                HostCommand.Run("chown", Nobody + ":" + Nobody, pin);
                break;
            case "chmod 0666 file":
                HostCommand.Run("chmod", "0666", pin);
                break;
            case "chown nobody folder":
                HostCommand.Run("chown", Nobody + ":" + Nobody, folder);
                break;
            case "link file":
                // The link names a valid root.json of root's: still not followed.
                var real = Path.Combine(root.Directory, "real-root.json");
                File.Move(pin, real);
                File.CreateSymbolicLink(pin, real);
                break;
            case "link folder":
                var moved = Path.Combine(root.Directory, "lib-real");
                Directory.Move(folder, moved);
                Directory.CreateSymbolicLink(folder, moved);
                break;
            case "hard-link file":
                HostCommand.Run("ln", pin, Path.Combine(root.Directory, "second-name.json"));
                break;
        }

        var outcome = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("1.1.0")), default);

        Assert.False(outcome.Succeeded, outcome.Message);
        Assert.Equal(Appliance.Updates.Bundles.BundleError.TrustRootInvalid, outcome.Error);
        Assert.Contains(reason, outcome.Message, StringComparison.Ordinal);
        Assert.Equal("releases/1.0.0", root.CurrentTarget());
        Assert.Null(root.Updater().Status().RootVersion);
    }

    [Fact]
    public async Task An_old_install_s_root_json_moves_to_root_s_pin_once_readable_by_the_service_under_the_unit_s_umask()
    {
        using var root = RootOwned(pinOutside: true);
        var pinned = await File.ReadAllBytesAsync(root.Paths.RootMetadata);
        File.Move(root.Paths.RootMetadata, root.Paths.DataFolderRootMetadata);
        Directory.Delete(Path.GetDirectoryName(root.Paths.RootMetadata)!);
        var findings = new List<RecoverFinding>();

        await WithUmaskAsync(0x3F, () => root.Updater().RecoverAsync(restart: false, new RecoverChecks(KnownGood, null, findings.Add), default));

        var moved = Assert.Single(findings);
        Assert.Equal(RecoverFindingKind.RootMetadataMoved, moved.Kind);
        Assert.Equal(root.Paths.DataFolderRootMetadata, moved.Path);
        Assert.Contains($"root metadata version 1 moved to {root.Paths.RootMetadata}", moved.Detail, StringComparison.Ordinal);
        Assert.Equal(pinned, await File.ReadAllBytesAsync(root.Paths.RootMetadata));
        Assert.False(File.Exists(root.Paths.DataFolderRootMetadata));
        Assert.Equal("0:0 644", Stat(root.Paths.RootMetadata));
        Assert.Equal("0:0 755", Stat(Path.GetDirectoryName(root.Paths.RootMetadata)!));
        Assert.Contains("\"version\"", ReadAsNobody(root.Paths.RootMetadata), StringComparison.Ordinal);
        Assert.Contains(root.Updater().History(), e => e.Action == "root-move");

        // Once: a root.json that turns up in the data folder later is never read again.
        await File.WriteAllBytesAsync(root.Paths.DataFolderRootMetadata, Planted.ToFileBytes());
        findings.Clear();
        await root.Updater().RecoverAsync(restart: false, new RecoverChecks(KnownGood, null, findings.Add), default);
        Assert.Empty(findings);
        Assert.Equal(pinned, await File.ReadAllBytesAsync(root.Paths.RootMetadata));
    }

    [Theory]
    [InlineData("file", $"belongs to uid {Nobody}, not root")]
    [InlineData("root", "the update record is not trusted")]
    public async Task A_data_folder_root_json_root_could_not_have_written_alone_is_not_moved_and_nothing_verifies(string owned, string reason)
    {
        using var root = RootOwned(pinOutside: true);
        File.Delete(root.Paths.RootMetadata);
        await File.WriteAllBytesAsync(root.Paths.DataFolderRootMetadata, Planted.ToFileBytes());
        HostCommand.Run("chown", Nobody + ":" + Nobody, owned == "file" ? root.Paths.DataFolderRootMetadata : root.Paths.Root);
        var findings = new List<RecoverFinding>();

        await root.Updater().RecoverAsync(restart: false, new RecoverChecks(KnownGood, null, findings.Add), default);

        var refused = Assert.Single(findings, f => f.Kind == RecoverFindingKind.RootMetadataNotMoved);
        Assert.Contains(reason, refused.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(root.Paths.RootMetadata));
        Assert.True(File.Exists(root.Paths.DataFolderRootMetadata));
        HostCommand.Run("chown", "0:0", root.Paths.Root);
        var outcome = await root.Updater().ImportAsync(root.WriteBundle(BundleFactory.Release("9.0.0", signers: [TestKeys.Outsider])), default);
        Assert.False(outcome.Succeeded, outcome.Message);
        Assert.Contains("no root metadata is pinned", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_root_writes_again_under_the_unit_s_umask_stays_readable_by_the_service()
    {
        // The drill's failure: recovery (ExecStartPre=+, UMask=0077) fell back and wrote state.json and history.json
        // 0600 as root; the service then could not read its update state nor stage a console upload.
        using var root = RootOwned(pinOutside: false);
        HostCommand.Run("chown", Nobody + ":" + Nobody, root.Paths.State);
        var findings = new List<RecoverFinding>();

        var outcome = await WithUmaskAsync(0x3F, () => root.Updater().RecoverAsync(restart: false, new RecoverChecks(KnownGood, null, findings.Add), default));

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(RecoverFindingKind.StateUntrusted, Assert.Single(findings).Kind);
        Assert.Equal("0:0 644", Stat(root.Paths.State));
        Assert.Equal("0:0 644", Stat(root.Paths.History));
        Assert.Contains("\"current\":\"1.0.0\"", ReadAsNobody(root.Paths.State), StringComparison.Ordinal);
        Assert.Contains("not trusted", ReadAsNobody(root.Paths.History), StringComparison.Ordinal);
    }

    /// <summary>The test's updates root as root's (its temp folder may be group-writable under the caller's umask).</summary>
    private static TempUpdatesRoot RootOwned(bool pinOutside)
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root (chown); CI runs as root");
        var root = new TempUpdatesRoot(pinOutside: pinOutside);
        HostCommand.Run("chown", "-R", "0:0", root.Directory);
        HostCommand.Run("chmod", "-R", "go-w", root.Directory);
        HostCommand.Run("chmod", "0755", root.Directory);
        return root;
    }

    /// <summary>Runs <paramref name="action"/> under a process umask (this collection runs alone), as the unit's UMask sets it.</summary>
    private static async Task<T> WithUmaskAsync<T>(uint mask, Func<Task<T>> action)
    {
        var before = umask(mask);
        try
        {
            return await action();
        }
        finally
        {
            _ = umask(before);
        }
    }

    /// <summary>What the service user would read: cat as nobody, with no supplementary groups.</summary>
    private static string ReadAsNobody(string path) =>
        HostCommand.Run("setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "cat", path);

    private static string Stat(string path) => HostCommand.Run("stat", "-c", "%u:%g %a", path).Trim();


    [LibraryImport("libc")]
    private static partial uint umask(uint mask);
}
