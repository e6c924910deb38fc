using Appliance.Hosting.Tests.Admin;
using Appliance.Updates.Signing;
using Appliance.Updates.Trust;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// A small fixed tailnet for output tests: users alice and bob, one tags-only pre-auth key, three nodes (one
/// tagged, one with an approved route), a local CA and a policy file, all in a temporary data folder.
/// </summary>
internal static class Scenario
{
    public const string Policy = """
        // The golden policy: "quotes" and & stay readable in JSON.
        {
          "tagOwners": {"tag:web": ["alice@"]},
          "acls": [{"action": "accept", "src": ["alice@"], "dst": ["tag:web:443"]}],
          "tests": [{"src": "alice@", "accept": ["tag:web:443"], "deny": ["tag:web:22"]}],
        }
        """;

    /// <summary>Verb name (the golden file's name) → its arguments in the scenario's folder.</summary>
    public static IReadOnlyDictionary<string, Func<AdminTestFolder, string[]>> Verbs { get; } = new Dictionary<string, Func<AdminTestFolder, string[]>>
    {
        ["version"] = _ => ["version"],
        ["users-list"] = f => ["users", "list", "--data-dir", f.DataDir],
        ["users-rename"] = f => ["users", "rename", "bob", "carol", "--data-dir", f.DataDir],
        ["users-delete"] = f => ["users", "delete", "bob", "--force", "--data-dir", f.DataDir],
        ["preauthkeys-list"] = f => ["preauthkeys", "list", "--data-dir", f.DataDir],
        ["preauthkeys-expire"] = f => ["preauthkeys", "expire", "apk_goldengolden", "--data-dir", f.DataDir],
        ["nodes-list"] = f => ["nodes", "list", "--data-dir", f.DataDir],
        ["nodes-list-tag"] = f => ["nodes", "list", "--tag", "tag:web", "--data-dir", f.DataDir],
        ["nodes-list-routes"] = f => ["nodes", "list-routes", "--data-dir", f.DataDir],
        ["nodes-expire-disable"] = f => ["nodes", "expire", "2", "--disable", "--data-dir", f.DataDir],
        ["nodes-expire-at"] = f => ["nodes", "expire", "2", "--expiry", "2031-01-02T03:04:05Z", "--data-dir", f.DataDir],
        ["nodes-delete"] = f => ["nodes", "delete", "3", "--force", "--data-dir", f.DataDir],
        ["config-check"] = f => ["config", "check", "--data-dir", f.DataDir],
        ["config-show"] = f => ["config", "show", "--data-dir", f.DataDir],
        ["ca-status"] = f => ["ca", "status", "--data-dir", f.DataDir],
        ["policy-check"] = f => ["policy", "check", Path.Combine(f.Path, "policy.hujson"), "--data-dir", f.DataDir],
        ["policy-set"] = f => ["policy", "set", Path.Combine(f.Path, "policy.hujson"), "--data-dir", f.DataDir],
        ["policy-get"] = f => ["policy", "get", "--data-dir", f.DataDir],
        ["update-adopt"] = f => ["update", "adopt", "--version", "1.0.0", "--binary", Path.Combine(f.Path, "appliance-1.0.0"), "--data-dir", f.DataDir],
        ["update-root-import"] = f => ["update", "root", "import", Path.Combine(f.Path, "root.json"), "--install", "--data-dir", f.DataDir],
        ["update-root-import-refused"] = f => ["update", "root", "import", Path.Combine(f.Path, "policy.hujson"), "--install", "--data-dir", f.DataDir],
        ["update-root-show"] = f => ["update", "root", "show", "--updates-root", Path.Combine(f.Path, "pinned-updates")],
        ["status"] = f => ["status", "--config", Path.Combine(f.Path, "status.yaml"), "--data-dir", f.DataDir],
        ["backup-create"] = f => ["backup", "create", "--out", Path.Combine(f.Path, "more-backups"), "--data-dir", f.DataDir],
        ["backup-list"] = f => ["backup", "list", "--data-dir", f.DataDir],
        ["backup-verify"] = f => ["backup", "verify", "--data-dir", f.DataDir],
        ["backup-restore"] = f => ["backup", "restore", Archive(f), "--data-dir", f.DataDir],
        ["users-passwd"] = f => ["users", "passwd", "alice@site", "--stdin", "--config", Path.Combine(f.Path, "identity.yaml"), "--data-dir", f.DataDir],
        ["users-totp-enroll"] = f => ["users", "totp", "enroll", "bob@site", "--config", Path.Combine(f.Path, "identity.yaml"), "--data-dir", f.DataDir],
        ["users-disable"] = f => ["users", "disable", "bob@site", "--config", Path.Combine(f.Path, "identity.yaml"), "--data-dir", f.DataDir],
        ["users-enable"] = f => ["users", "enable", "bob@site", "--config", Path.Combine(f.Path, "identity.yaml"), "--data-dir", f.DataDir],
        ["audit-verify"] = f => ["audit", "verify", "--data-dir", f.DataDir],
        ["backup-keygen"] = f => ["backup", "keygen", "--out", Path.Combine(f.Path, "backup-key.txt"), "--data-dir", f.DataDir],
    };

    /// <summary>What a verb reads on stdin (`users passwd --stdin`); the others read nothing.</summary>
    public static IReadOnlyDictionary<string, string> Stdin { get; } = new Dictionary<string, string>
    {
        ["users-passwd"] = "correct horse battery staple\n",
    };

    /// <summary>The identity file of the scenario: two people, as docs/identity.md writes them.</summary>
    public const string Identity = """
        {
          "people": [
            { "login": "alice@site", "display_name": "Alice", "groups": ["ops"], "role": "admin" },
            { "login": "bob@site" },
          ],
        }
        """;

    /// <summary>The archive `backup create` wrote during set-up (in the default folder, &lt;data&gt;/backups).</summary>
    private static string Archive(AdminTestFolder f) => Directory.GetFiles(Path.Combine(f.DataDir, "backups"), "*.tar").Single();

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static async Task SetUpAsync(AdminTestFolder folder)
    {
        var d = folder.DataDir;
        await using (var server = await AdminTestServer.StartAsync(d))
        {
            server.AddNode(1, null, "tag:web");
        }

        await Must("users", "create", "alice", "--display-name", "Alice Example", "--email", "alice@example.com", "--data-dir", d);
        await Must("users", "create", "bob", "--data-dir", d);
        await Must("nodes", "approve-routes", "1", "--routes", "10.0.0.0/24", "--data-dir", d);
        using (var directory = Storage.Files.DataDirectory.Open(d))
        using (var database = Storage.Database.ApplianceDatabase.Open(directory, TimeProvider.System))
        {
            var nodes = new State.Coordinator.SqliteNodeRepository(database);
            nodes.Insert(AdminTestServer.NewNode(2, 1));
            nodes.Insert(AdminTestServer.NewNode(3, 2));
            var key = new Storage.Stores.PreAuthKeyStore(database).Insert(new Storage.Stores.NewPreAuthKey(
                "apk_goldengolden", new byte[32], null, ["tag:web"], Reusable: true, Ephemeral: false, DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow));
            Assert.True(key.IsOk);
        }

        await Must("ca", "init", "--data-dir", d, "--dns-name", "appliance.test");
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "policy.hujson"), Policy);
        await Must("policy", "set", Path.Combine(folder.Path, "policy.hujson"), "--data-dir", d);

        // Update trust: a root.json (root and signing 1 of 1, fresh keys each run: their ids are scrubbed), pinned in
        // a second updates root for `update root show`, and a binary for `update adopt`.
        var rootKey = SigningKey.Generate();
        var signer = SigningKey.Generate();
        var root = RootMetadata.Create(1, [rootKey.Public], 1, [signer.Public], 1).WithSignature(rootKey).ToFileBytes();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "root.json"), root);
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "appliance-1.0.0"), "#!/bin/sh\necho 1.0.0\n");
        await Must("update", "root", "import", Path.Combine(folder.Path, "root.json"), "--install", "--updates-root", Path.Combine(folder.Path, "pinned-updates"));

        // `status` reads /ready on server.listen: port 1 on loopback, where nothing answers on any machine.
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "status.yaml"), "server:\n  listen: 127.0.0.1:1\n");
        var identity = Path.Combine(folder.Path, "identity.hujson");
        await File.WriteAllTextAsync(identity, Identity);
        File.SetUnixFileMode(identity, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "identity.yaml"), $"identity:\n  file: {identity}\n");
        await Must("backup", "create", "--data-dir", d);
    }

    private static async Task Must(params string[] args)
    {
        var result = await CliRun.RunAsync(args);
        Assert.True(result.ExitCode == 0, string.Join(' ', args) + ": " + result.Error);
    }
}
