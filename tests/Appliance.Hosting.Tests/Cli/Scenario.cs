using Appliance.Hosting.Tests.Admin;

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
    };

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
            var nodes = new Storage.Stores.NodeStore(database);
            nodes.Insert(AdminTestServer.NewNode(2, 1));
            nodes.Insert(AdminTestServer.NewNode(3, 2));
            var key = new Storage.Stores.PreAuthKeyStore(database).Insert(new Storage.Stores.NewPreAuthKey(
                "apk_goldengolden", new byte[32], null, ["tag:web"], Reusable: true, Ephemeral: false, DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow));
            Assert.True(key.IsOk);
        }

        await Must("ca", "init", "--data-dir", d, "--dns-name", "appliance.test");
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "policy.hujson"), Policy);
        await Must("policy", "set", Path.Combine(folder.Path, "policy.hujson"), "--data-dir", d);
    }

    private static async Task Must(params string[] args)
    {
        var result = await CliRun.RunAsync(args);
        Assert.True(result.ExitCode == 0, string.Join(' ', args) + ": " + result.Error);
    }
}
