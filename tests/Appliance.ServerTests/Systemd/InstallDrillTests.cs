using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Control;
using Appliance.TestKit.Noise;

namespace Appliance.ServerTests.Systemd;

/// <summary>
/// The operator's whole path under a real systemd (issue 13): a Debian 12 root booted with systemd-nspawn and its own
/// network, the USB folder from installer/build-usb.sh, install.sh, a client registered with a key the installed CLI
/// made as a member of appliance-admin, an update, a failing update rolled back, a policy reload, the journal, the
/// unit's exposure, uninstall and reinstall over the kept data, `backup create` + `backup verify` (the restore drill)
/// on the installed data, the docs' blocks marked for the drill (a restore between `systemctl stop` and `start`, a
/// client trusting the root; InstallDrillTests.Docs.cs), an update uploaded in the admin console and imported by the
/// root-side path unit (InstallDrillTests.Console.cs), and `audit verify` over the whole run. After each change of release,
/// /usr/local/bin/appliance runs that release for root and for operators (decision 0094). Needs root and
/// systemd-nspawn: it fails, never skips, without them (.ci/run installs systemd-container, debootstrap and zstd).
/// docs/operator-guide.md shows the same commands.
/// </summary>
[Trait("Category", "Systemd")]
[Collection(Support.SingleFilePublishers.Name)]
public sealed partial class InstallDrillTests
{
    private const string Version = "1.0.0";
    private const string NextVersion = "1.0.1";
    private const string BrokenVersion = "1.0.2";

    [Fact]
    public async Task From_the_usb_folder_to_an_upgraded_service_and_back_under_a_real_systemd()
    {
        Assert.True(Environment.UserName == "root", "the systemd drill needs root (systemd-nspawn); CI runs as root");
        var work = Path.Combine(Path.GetTempPath(), "appliance-drill-" + Guid.NewGuid().ToString("N")[..8]);
        var drop = Path.Combine(work, "drop");
        Directory.CreateDirectory(drop);
        try
        {
            await BuildMediaAsync(work, drop);
            await using var container = await Container.StartAsync(work, drop);
            await RunDrillAsync(container, drop);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The USB folder (both architectures), the next release's bundle, and a release whose binary cannot start.</summary>
    private static async Task BuildMediaAsync(string work, string drop)
    {
        var keys = Path.Combine(work, "keys");
        var environment = new Dictionary<string, string> { ["KEYS"] = keys, ["APPLIANCE_BUNDLE_PASSPHRASE"] = "drill" };
        var script = Path.Combine(RepoPaths.RepoRoot, "installer", "build-usb.sh");
        await MustHostAsync("sh", [script, Path.Combine(drop, "usb"), Version], environment);
        environment["RIDS"] = "linux-x64";
        await MustHostAsync("sh", [script, Path.Combine(work, "next"), NextVersion], environment);
        File.Copy(Path.Combine(work, "next", $"appliance-{NextVersion}.aupd"), Path.Combine(drop, $"appliance-{NextVersion}.aupd"));

        // A release whose binary exits at once: it can never report ready, so the import must roll back.
        var broken = Path.Combine(work, "broken-appliance");
        await File.WriteAllTextAsync(broken, "#!/bin/sh\necho 'this release is broken on purpose' >&2\nexit 1\n");
        var tool = Path.Combine(RepoPaths.RepoRoot, "artifacts", "usb-tool", "appliance-bundle.dll");
        var bundle = Path.Combine(drop, $"appliance-{BrokenVersion}.aupd");
        await MustHostAsync("dotnet", [tool, "create", "--out", bundle, "--version", BrokenVersion, "--appliance-linux-x64", broken, "--appliance-linux-arm64", broken], environment);
        await MustHostAsync("dotnet", [tool, "sign", bundle, "--key", Path.Combine(keys, "sign-dev.key")], environment);
    }

    private static async Task RunDrillAsync(Container c, string drop)
    {
        // 1-2: install from the stick; Type=notify means `systemctl start` returned after READY=1.
        var clock = Stopwatch.StartNew();
        var installed = await c.MustAsync("sh", "/media/usb/usb/install.sh");
        Assert.Contains("CA root SHA-256:", installed, StringComparison.Ordinal);
        Assert.Contains("Server URL:", installed, StringComparison.Ordinal);
        Assert.Equal("active", (await c.MustAsync("systemctl", "is-active", "appliance")).Trim());
        await using var http = new NamespaceForwarder(c.InitPid, 8080);
        Assert.Equal(Version, await ReadyVersionAsync(http.Address));
        // The trust root is root's own, outside the data folder the service user owns (decision 0112).
        Assert.Equal("root:root 644", (await c.MustAsync("stat", "-c", "%U:%G %a", "/usr/local/lib/appliance/root.json")).Trim());
        await c.MustAsync("sh", "-c", "! test -e /var/lib/appliance/updates/root.json");
        Assert.Contains("root metadata: version 1", await c.MustAsync("appliance", "update", "status"), StringComparison.Ordinal);

        // 3: an operator in appliance-admin (not root) makes the key through /run/appliance/admin.sock.
        await c.MustAsync("useradd", "--create-home", "--groups", "appliance-admin", "opsadmin");
        await c.MustAsync("runuser", "-u", "opsadmin", "--", "appliance", "users", "create", "alice");
        var keyJson = await c.MustAsync("runuser", "-u", "opsadmin", "--", "appliance", "preauthkeys", "create", "--user", "alice", "--expiration", "1h", "-o", "json");
        using var keyDocument = JsonDocument.Parse(keyJson);
        var key = keyDocument.RootElement.GetProperty("key").GetString()!;
        await RegisterAsync(http.Address, key, "drill-node");
        var firstRegistered = clock.Elapsed;
        Console.WriteLine($"install.sh start -> first client registered: {firstRegistered.TotalSeconds:0.0} s");
        await AssertCommandVersionAsync(c, Version);

        // 4: the next release: systemd restarts the new binary through the `current` link.
        var imported = await c.MustAsync("appliance", "update", "import", $"/media/usb/appliance-{NextVersion}.aupd");
        Assert.Contains($"release {NextVersion} is running and healthy", imported, StringComparison.Ordinal);
        Assert.Equal(NextVersion, await ReadyVersionAsync(http.Address));
        Assert.Contains("drill-node", await c.MustAsync("runuser", "-u", "opsadmin", "--", "appliance", "nodes", "list"), StringComparison.Ordinal);
        await AssertCommandVersionAsync(c, NextVersion);

        // 5: a release that cannot start rolls back by itself.
        var failed = await c.RunAsync(TimeSpan.FromMinutes(5), "appliance", "update", "import", "--health-timeout", "15", $"/media/usb/appliance-{BrokenVersion}.aupd");
        Assert.Equal(1, failed.Code);
        Assert.Contains($"rolled back to {NextVersion}", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal(NextVersion, await ReadyVersionAsync(http.Address));
        Assert.Equal("active", (await c.MustAsync("systemctl", "is-active", "appliance")).Trim());
        await AssertCommandVersionAsync(c, NextVersion);

        // The operator rolls back to the previous release; the command on PATH follows it (decision 0094).
        var rolledBack = await c.MustAsync("appliance", "update", "rollback");
        Assert.Contains($"rolled back from {NextVersion} to {Version}", rolledBack, StringComparison.Ordinal);
        Assert.Equal(Version, await ReadyVersionAsync(http.Address));
        await AssertCommandVersionAsync(c, Version);

        // Whatever happened to the command, the recovery before every start points it at the running release again.
        await c.MustAsync("rm", "/usr/local/bin/appliance");
        await c.MustAsync("systemctl", "restart", "appliance");
        await AssertCommandVersionAsync(c, Version);

        // A site installed before updates/ and releases/ stayed root's: the next start gives them back (InstallDrillTests.Ownership.cs).
        await RecoverGivesUpdateFoldersBackToRootAsync(c, http.Address, Version);

        // A compromised service user swaps in an updates/ of its own: root runs only its own copy, follows no planted
        // link and goes back to the known-good release; an old unit is replaced (InstallDrillTests.Trust.cs).
        await RootRunsOnlyItsOwnReleaseAsync(c, http.Address, Version);

        // 6: `systemctl reload` applies a changed policy file; the journal has the lines with priorities; exposure.
        await c.MustAsync("sh", "-c", "printf 'policy:\\n  file: /etc/appliance/policy.hujson\\n  reload: false\\n' > /etc/appliance/appliance.yaml");
        await c.MustAsync("sh", "-c", "echo '{\"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}]}' > /etc/appliance/policy.hujson");
        await c.MustAsync("systemctl", "restart", "appliance");
        await c.MustAsync("sh", "-c", "echo '{\"acls\": [{\"action\": \"accept\", \"src\": [\"alice@\"], \"dst\": [\"*:22\"]}]}' > /etc/appliance/policy.hujson");
        await c.MustAsync("systemctl", "reload", "appliance");
        var policy = await WaitForAsync(() => c.MustAsync("runuser", "-u", "opsadmin", "--", "appliance", "policy", "get"), text => text.Contains("*:22", StringComparison.Ordinal));
        Assert.Contains("*:22", policy, StringComparison.Ordinal);
        var journal = await c.MustAsync("journalctl", "-u", "appliance", "--no-pager", "-o", "json");
        var priorities = journal.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.TryGetProperty("_PID", out _) && e.TryGetProperty("PRIORITY", out _))
            .Select(e => (Priority: e.GetProperty("PRIORITY").GetString(), Message: e.GetProperty("MESSAGE").ToString()))
            .ToList();
        Assert.Contains(priorities, p => p.Priority == "6" && p.Message.Contains("The appliance is ready", StringComparison.Ordinal));
        Assert.Contains(priorities, p => p.Priority == "4" && p.Message.Contains("loopback address", StringComparison.Ordinal));
        var security = await c.MustAsync("systemd-analyze", "security", "--no-pager", "appliance.service");
        var exposure = double.Parse(ExposurePattern().Match(security).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 1.5, security);
        // The unit never gives up restarting (a site must come back after a short outage without an operator).
        Assert.Equal("StartLimitIntervalUSec=0", (await c.MustAsync("systemctl", "show", "-p", "StartLimitIntervalUSec", "appliance")).Trim());

        // 7: uninstall keeps the data; installing again finds the node.
        await c.MustAsync("appliance", "uninstall");
        Assert.NotEqual("active", (await c.RunAsync("systemctl", "is-active", "appliance")).Stdout.Trim());
        await c.MustAsync("test", "-f", "/var/lib/appliance/appliance.db");
        await c.MustAsync("sh", "/media/usb/usb/install.sh");
        Assert.Contains("drill-node", await c.MustAsync("runuser", "-u", "opsadmin", "--", "appliance", "nodes", "list"), StringComparison.Ordinal);
        var status = await c.MustAsync("appliance", "status", "-o", "json");
        using var statusJson = JsonDocument.Parse(status);
        Assert.Equal("active", statusJson.RootElement.GetProperty("service").GetString());
        Assert.Equal(1, statusJson.RootElement.GetProperty("nodes").GetProperty("total").GetInt32());
        await AssertCommandVersionAsync(c, Version);

        // The restore drill on the installed service's data: a backup of the running appliance is written and
        // `backup verify` restores it into a scratch folder, starts a server on it and compares (docs/ops/backups.md).
        Assert.Contains("Backup written to", await c.MustAsync("appliance", "backup", "create"), StringComparison.Ordinal);
        Assert.Contains("passed", await c.MustAsync("appliance", "backup", "verify"), StringComparison.Ordinal);

        // The docs' blocks marked for the drill, as written: stop, restore that backup, start; the PostgreSQL password
        // file; a Debian client trusting the appliance's root (InstallDrillTests.Docs.cs).
        await RunDocumentedBlocksAsync(c, http.Address);

        // The admin console: a person uploads the next release in the browser; root's importer applies it (InstallDrillTests.Console.cs).
        await ImportFromTheConsoleAsync(c, drop, http.Address);

        // The audit chain survived all of it (two releases, a rollback, uninstall and reinstall) and holds the drill's actions.
        Assert.Contains("audit log intact", await c.MustAsync("appliance", "audit", "verify"), StringComparison.Ordinal);
        var records = (await c.MustAsync("appliance", "audit", "export", "-o", "json-line"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (Actor: e.GetProperty("actor").GetString(), Action: e.GetProperty("action").GetString(), Target: e.GetProperty("target").GetString(), Result: e.GetProperty("result").GetString()))
            .ToList();
        Assert.Contains(("local:opsadmin", "user.create", "alice", "ok"), records);
        Assert.Contains(records, r => r is { Actor: "local:opsadmin", Action: "preauthkey.create", Result: "ok" });
        Assert.Contains(records, r => r.Action == "policy.reload" && r.Target!.StartsWith("SIGHUP", StringComparison.Ordinal) && r.Result!.StartsWith("ok", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Action == "backup.create");
        Assert.Contains(records, r => r.Action == "backup.verify");
        Assert.Contains(records, r => r is { Action: "backup.restore", Result: "ok" });

        // Purge: data, configuration and the command go; the copy this very command runs from goes a few seconds
        // after it exits (a transient timer), since deleting it earlier would break its next assembly load.
        var purged = await c.MustAsync("appliance", "uninstall", "--purge");
        await c.MustAsync("sh", "-c", "! test -e /var/lib/appliance && ! test -e /etc/appliance && ! test -L /usr/local/bin/appliance && ! test -e /etc/systemd/system/appliance-update.path && ! test -e /etc/systemd/system/appliance-update.service");
        // Nor is the data that the documented restore set aside (keys and CA included) left behind.
        await c.MustAsync("sh", "-c", "! ls -d /var/lib/appliance.before-restore-* 2>/dev/null");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await c.RunAsync("test", "-e", "/usr/local/lib/appliance")).Code == 0)
        {
            if (DateTime.UtcNow >= deadline)
            {
                // What systemd made of the removal it was asked to schedule, so that a failure here explains itself.
                var state = await c.RunAsync("sh", "-c", "ls -laR /usr/local/lib/appliance; systemctl list-timers --all --no-pager; systemctl list-units --all --no-pager 'run-*'; journalctl -n 60 --no-pager");
                Assert.Fail($"/usr/local/lib/appliance is still there a minute after uninstall --purge.\nuninstall said:\n{purged}\nthe container:\n{state.Stdout}\n{state.Stderr}");
            }

            await Task.Delay(1000);
        }
    }

    /// <summary>`appliance --version` through /usr/local/bin, as root and as an operator in appliance-admin (not root).</summary>
    private static async Task AssertCommandVersionAsync(Container c, string version)
    {
        Assert.Equal("/usr/local/lib/appliance/current/appliance", (await c.MustAsync("readlink", "/usr/local/bin/appliance")).Trim());
        foreach (var user in new[] { "root", "opsadmin" })
        {
            var printed = await c.MustAsync("runuser", "-u", user, "--", "/usr/local/bin/appliance", "--version");
            Assert.True(version == printed.Trim().Split('+')[0], $"/usr/local/bin/appliance --version as {user} printed '{printed.Trim()}', expected {version}");
        }
    }

    private static async Task RegisterAsync(Uri server, string key, string hostname)
    {
        var serverKey = await NoiseControlClient.FetchServerKeyAsync(server, CapabilityVersion.TestClient);
        await using var noise = await NoiseControlClient.ConnectAsync(server, MachinePrivate.Generate(), serverKey, CapabilityVersion.TestClient);
        await using var node = new TestNode(noise.Http, noise.MachineKey, hostname);
        var registered = await node.RegisterAsync(key);
        Assert.Equal(HttpStatusCode.OK, registered.Status);
        Assert.True(registered.Response!.MachineAuthorized, registered.Text);
    }

    /// <summary>The release that answers /ready (its Appliance-Version header), waiting out a restart.</summary>
    private static async Task<string> ReadyVersionAsync(Uri server)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("ready");
                if (response.IsSuccessStatusCode && response.Headers.TryGetValues("Appliance-Version", out var values))
                {
                    return values.First().Split('+')[0];
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                // Restarting: not listening yet, or the connection was cut. Ask again.
            }

            Assert.True(DateTime.UtcNow < deadline, "/ready did not answer 200 within 60 s");
            await Task.Delay(500);
        }
    }

    private static async Task<string> WaitForAsync(Func<Task<string>> read, Func<string, bool> done)
    {
        var text = "";
        for (var i = 0; i < 40 && !done(text = await read()); i++)
        {
            await Task.Delay(250);
        }

        return text;
    }

    private static async Task MustHostAsync(string file, string[] arguments, IDictionary<string, string> environment)
    {
        var (code, stdout, stderr) = await Container.HostAsync(file, arguments, TimeSpan.FromMinutes(20), environment);
        Assert.True(code == 0, $"'{file} {string.Join(' ', arguments)}' exited {code}\n{stdout}\n{stderr}");
    }

    [GeneratedRegex(@"Overall exposure level for appliance\.service: ([0-9.]+)")]
    private static partial Regex ExposurePattern();
}
