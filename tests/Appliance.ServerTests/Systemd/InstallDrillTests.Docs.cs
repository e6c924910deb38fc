using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.TestKit.Docs;

namespace Appliance.ServerTests.Systemd;

/// <summary>
/// The documented commands that need a real systemd, root and a Debian machine (issue 18), read from the docs'
/// blocks marked `&lt;!-- run in the systemd drill: ID --&gt;` and run line by line as written, so the guide and the
/// drill cannot drift: the restore around `systemctl stop/start` (docs/ops/backups.md), the PostgreSQL password file
/// (docs/ops/postgresql.md) and trusting the appliance's root on a Debian client (docs/operator-guide-ca.md; here the
/// container is the client, which reaches the HTTPS listener on its own loopback). DocMarkerTests checks that every
/// block so marked is one of <see cref="DocBlocks.Runs"/>, and <see cref="RunDocumentedBlocksAsync"/> runs each.
/// </summary>
public sealed partial class InstallDrillTests
{
    /// <summary>Where the drill runs the client-side commands (the operator's working folder on a client).</summary>
    private const string ClientFolder = "/root/client";

    private static async Task RunDocumentedBlocksAsync(Container c, Uri http)
    {
        var run = new HashSet<string>(StringComparer.Ordinal);
        await RestoreAsDocumentedAsync(c, http);
        run.Add("backup-restore");
        await PasswordFileAsDocumentedAsync(c);
        run.Add("db-password-file");
        await TrustTheRootAsDocumentedAsync(c);
        run.Add("client-trust");
        Assert.Equal(DocBlocks.Runs[DocBlocks.SystemdDrill].Order(StringComparer.Ordinal), run.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// docs/ops/backups.md: `systemctl stop`, `backup restore` of the archive the drill just made, `systemctl start`.
    /// A user made after the backup is gone, the registered node is there, and the service is active and ready.
    /// </summary>
    private static async Task RestoreAsDocumentedAsync(Container c, Uri http)
    {
        using var list = JsonDocument.Parse(await c.MustAsync("appliance", "backup", "list", "-o", "json"));
        var archive = list.RootElement.EnumerateArray()
            .OrderBy(a => a.GetProperty("takenAt").GetDateTimeOffset())
            .Last().GetProperty("archive").GetString()!;
        await c.MustAsync("appliance", "users", "create", "made-after-the-backup");

        var block = DocBlocks.Marked(DocBlocks.SystemdDrill, "backup-restore");
        await RunBlockAsync(c, block, line => ArchiveInDocs().Replace(line, archive));

        Assert.Equal("active", (await c.MustAsync("systemctl", "is-active", "appliance")).Trim());
        Assert.Equal(Version, await ReadyVersionAsync(http));
        Assert.Contains("drill-node", await c.MustAsync("runuser", "-u", "opsadmin", "--", "appliance", "nodes", "list"), StringComparison.Ordinal);
        var users = await c.MustAsync("appliance", "users", "list", "-o", "json");
        Assert.Contains("\"alice\"", users, StringComparison.Ordinal);
        Assert.DoesNotContain("made-after-the-backup", users, StringComparison.Ordinal);
        // The replaced data is set aside, not deleted (uninstall --purge removes it at the end of the drill).
        await c.MustAsync("sh", "-c", "ls -d /var/lib/appliance.before-restore-*");
    }

    /// <summary>docs/ops/postgresql.md: the password file, as root, for the service user, 0600, holding the password.</summary>
    private static async Task PasswordFileAsDocumentedAsync(Container c)
    {
        var block = DocBlocks.Marked(DocBlocks.SystemdDrill, "db-password-file");
        await RunBlockAsync(c, block, line => line);
        var written = await c.MustAsync("sh", "-c", "stat -c '%a %U' /etc/appliance/db-password && cat /etc/appliance/db-password");
        Assert.Equal("600 appliance\nthe password\n", written);
        await c.MustAsync("runuser", "-u", "appliance", "--", "test", "-r", "/etc/appliance/db-password");
        await c.MustAsync("rm", "/etc/appliance/db-password");
    }

    /// <summary>
    /// docs/operator-guide-ca.md, Debian client: before the root is trusted, curl refuses the HTTPS listener's
    /// certificate (exit 60); after the guide's commands it accepts it.
    /// </summary>
    private static async Task TrustTheRootAsDocumentedAsync(Container c)
    {
        // Section 2 of the guide, on the appliance (here the same machine): the exported root the client installs.
        await c.MustAsync("sh", "-c", $"mkdir -p {ClientFolder} && cd {ClientFolder} && appliance ca export --out appliance-root.pem");
        var before = await c.RunAsync("curl", "-sS", "https://127.0.0.1:8443/health");
        Assert.True(before.Code == 60, $"curl before the root is trusted exited {before.Code} (expected 60, certificate not trusted)\n{before.Stdout}{before.Stderr}");

        var block = DocBlocks.Marked(DocBlocks.SystemdDrill, "client-trust");
        await RunBlockAsync(c, block, line => line.Replace("HOST", "127.0.0.1", StringComparison.Ordinal));
        await c.MustAsync("rm", "/usr/local/share/ca-certificates/appliance-root.crt");
        await c.MustAsync("update-ca-certificates", "--fresh");
    }

    /// <summary>
    /// Runs each command of <paramref name="block"/> with bash in <see cref="ClientFolder"/>, after
    /// <paramref name="substitute"/> (only what cannot be known when the doc is written: an archive's name, HOST).
    /// It must exit 0 and print what a trailing `# → TEXT` says.
    /// </summary>
    private static async Task RunBlockAsync(Container c, DocBlock block, Func<string, string> substitute)
    {
        Assert.NotEmpty(block.Commands);
        await c.MustAsync("mkdir", "-p", ClientFolder);
        foreach (var line in block.Commands)
        {
            var (command, expected) = SplitExpectation(substitute(line));
            var (code, stdout, stderr) = await c.RunAsync(TimeSpan.FromMinutes(3), "bash", "-c", $"cd {ClientFolder} && {command}");
            if (code != 0)
            {
                // What the service said, so that a failure here explains itself.
                var state = await c.RunAsync("sh", "-c", "journalctl -u appliance -n 40 --no-pager; ls -la /var/lib/appliance /var/lib/appliance/updates");
                Assert.Fail($"{block} '{command}' exited {code}\nstdout: {stdout}\nstderr: {stderr}\nthe container:\n{state.Stdout}{state.Stderr}");
            }

            Assert.True(expected is null || (stdout + stderr).Contains(expected, StringComparison.Ordinal), $"{block} '{command}' does not print '{expected}'\n{stdout}{stderr}");
        }
    }

    /// <summary>`cmd   # → TEXT` into the command and TEXT; a comment without an arrow is only a comment.</summary>
    private static (string Command, string? Expected) SplitExpectation(string line)
    {
        var hash = line.IndexOf(" #", StringComparison.Ordinal);
        if (hash < 0)
        {
            return (line.Trim(), null);
        }

        var comment = line[(hash + 2)..];
        var arrow = comment.IndexOf('→', StringComparison.Ordinal);
        return (line[..hash].Trim(), arrow < 0 ? null : comment[(arrow + 1)..].Trim());
    }

    [GeneratedRegex(@"/var/lib/appliance/backups/appliance-backup-[0-9TZ]+\.tar")]
    private static partial Regex ArchiveInDocs();
}
