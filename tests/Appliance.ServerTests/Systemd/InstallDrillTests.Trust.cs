namespace Appliance.ServerTests.Systemd;

/// <summary>
/// The drill's compromised service user (decision 0112). It owns /var/lib/appliance, so it can rename root's
/// updates/ aside and put a folder of its own in its place: `current` naming a release of its own, update.lock a link
/// to a file of root's, a state.json of its choosing. Root's next start must run only root's own copy of the release
/// (/usr/local/lib/appliance), follow neither link, leave the planted files alone, go back to the known-good release
/// and say so in the journal (events 8032, 8034); its planted root.json is never read (root's pin in
/// /usr/local/lib/appliance is). Then a site still on the old unit (which ran the data folder's binary as root) gets
/// this release's units from `update recover` (event 8036), and one whose root.json is still in the data folder has it
/// moved to root's pin (event 8041).
/// </summary>
public sealed partial class InstallDrillTests
{
    private const string Victim = "/etc/appliance-drill-victim";

    /// <param name="http">The forwarder to the container's plain listener, for /ready.</param>
    private static async Task RootRunsOnlyItsOwnReleaseAsync(Container c, Uri http, string runningVersion)
    {
        const string RootCopy = "/usr/local/lib/appliance/current/appliance";
        Assert.Contains(RootCopy + " update recover", await c.MustAsync("systemctl", "show", "-p", "ExecStartPre", "--value", "appliance"), StringComparison.Ordinal);
        Assert.Contains(RootCopy + " update import --from-inbox", await c.MustAsync("systemctl", "show", "-p", "ExecStart", "--value", "appliance-update"), StringComparison.Ordinal);

        await c.MustAsync("sh", "-c", $"echo 'root file the lock link names' > {Victim} && chmod 0644 {Victim}");
        var victimBefore = await c.MustAsync("stat", "-c", "%U:%G %a %s %Y %X", Victim);
        const string Attack = """
            set -e
            cd /var/lib/appliance
            mkdir planted
            printf '#!/bin/sh\nid -u > /var/lib/appliance/planted/ran-as\n' > planted/appliance
            chmod 0755 planted planted/appliance
            mv updates updates.root
            mkdir updates
            ln -s /var/lib/appliance/planted updates/current
            ln -s /etc/appliance-drill-victim updates/update.lock
            printf '{"signed":"the service user own trust root"}' > updates/root.json
            printf '{"version":1,"current":"9.9.9","previous":null,"content":null,"previous_content":null,"pending":null}' > updates/state.json
            """;
        // The ownership step before this one logged 8032 too: count, so that this start's own line is what is asserted.
        var untrustedBefore = await EventLinesAsync(c, 8032);
        await c.MustAsync("runuser", "-u", "appliance", "--", "sh", "-c", Attack);
        Assert.Equal("appliance", (await c.MustAsync("stat", "-c", "%U", "/var/lib/appliance/updates")).Trim());
        Assert.Equal("/var/lib/appliance/planted", (await c.MustAsync("readlink", "/var/lib/appliance/updates/current")).Trim());

        await c.MustAsync("systemctl", "restart", "appliance");

        Assert.Equal("active", (await c.MustAsync("systemctl", "is-active", "appliance")).Trim());
        Assert.Equal(runningVersion, await ReadyVersionAsync(http));
        Assert.Equal($"../releases/{runningVersion}", (await c.MustAsync("readlink", "/var/lib/appliance/updates/current")).Trim());
        // stat's %F says "regular empty file" for the fresh lock: either wording is a regular file, not the planted link.
        Assert.Matches("^root:root regular (empty )?file$", (await c.MustAsync("stat", "-c", "%U:%G %F", "/var/lib/appliance/updates/update.lock")).Trim());
        await c.MustAsync("sh", "-c", "! test -e /var/lib/appliance/planted/ran-as");
        Assert.Equal(victimBefore, await c.MustAsync("stat", "-c", "%U:%G %a %s %Y %X", Victim));
        Assert.Equal("root file the lock link names", (await c.MustAsync("cat", Victim)).Trim());
        var untrusted = (await EventLinesAsync(c, 8032)).Skip(untrustedBefore.Length).ToArray();
        var line = Assert.Single(untrusted);
        Assert.Contains("/var/lib/appliance/updates belongs to uid", line, StringComparison.Ordinal);
        Assert.Contains($"falling back to the known-good release {runningVersion}", line, StringComparison.Ordinal);
        var lockLink = string.Join('\n', await EventLinesAsync(c, 8034));
        Assert.Contains("/var/lib/appliance/updates/update.lock is a symbolic link: not followed", lockLink, StringComparison.Ordinal);
        // The planted root.json is never read: bundles are still verified against root's own pin.
        Assert.Contains("root metadata: version 1", await c.MustAsync("appliance", "update", "status"), StringComparison.Ordinal);
        Assert.Equal("root:root 644", (await c.MustAsync("stat", "-c", "%U:%G %a", "/usr/local/lib/appliance/root.json")).Trim());

        // Root's own tree back in place for the rest of the drill.
        await c.MustAsync("sh", "-c", $"cd /var/lib/appliance && rm -rf updates planted {Victim} && mv updates.root updates");
        await c.MustAsync("systemctl", "restart", "appliance");
        Assert.Equal(runningVersion, await ReadyVersionAsync(http));

        // A site still on the unit an older release wrote: its recovery (run from the data folder's binary, one last time)
        // writes this release's units and reloads systemd, so the next start already runs root's copy.
        await c.MustAsync("sed", "-i", $"s|{RootCopy} update recover|/var/lib/appliance/updates/current/appliance update recover|", "/etc/systemd/system/appliance.service");
        await c.MustAsync("systemctl", "daemon-reload");
        Assert.DoesNotContain(RootCopy, await c.MustAsync("systemctl", "show", "-p", "ExecStartPre", "--value", "appliance"), StringComparison.Ordinal);

        await c.MustAsync("systemctl", "restart", "appliance");

        Assert.Equal(runningVersion, await ReadyVersionAsync(http));
        Assert.Contains(RootCopy + " update recover", await c.MustAsync("cat", "/etc/systemd/system/appliance.service"), StringComparison.Ordinal);
        Assert.Contains(RootCopy + " update recover", await c.MustAsync("systemctl", "show", "-p", "ExecStartPre", "--value", "appliance"), StringComparison.Ordinal);
        var refreshed = string.Join('\n', await EventLinesAsync(c, 8036));
        Assert.Contains("/etc/systemd/system/appliance.service was written again from this release", refreshed, StringComparison.Ordinal);

        // A site installed before the pin kept root.json in the data folder: the next start's recovery moves it, once (8041).
        await c.MustAsync("mv", "/usr/local/lib/appliance/root.json", "/var/lib/appliance/updates/root.json");
        await c.MustAsync("systemctl", "restart", "appliance");
        Assert.Equal(runningVersion, await ReadyVersionAsync(http));
        Assert.Equal("root:root 644", (await c.MustAsync("stat", "-c", "%U:%G %a", "/usr/local/lib/appliance/root.json")).Trim());
        await c.MustAsync("sh", "-c", "! test -e /var/lib/appliance/updates/root.json");
        var moved = string.Join('\n', await EventLinesAsync(c, 8041));
        Assert.Contains("root metadata version 1 moved to /usr/local/lib/appliance/root.json", moved, StringComparison.Ordinal);
        Assert.Contains("root metadata: version 1", await c.MustAsync("appliance", "update", "status"), StringComparison.Ordinal);
    }

    /// <summary>The appliance unit's journal lines with one event id, oldest first.</summary>
    private static async Task<string[]> EventLinesAsync(Container c, int eventId) =>
        (await c.MustAsync("journalctl", "-q", "-u", "appliance", "--no-pager", "-o", "cat", $"APPLIANCE_EVENT_ID={eventId}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
