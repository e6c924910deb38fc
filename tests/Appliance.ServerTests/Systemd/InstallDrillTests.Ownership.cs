namespace Appliance.ServerTests.Systemd;

/// <summary>
/// The drill's repair of a site installed before updates/ and releases/ stayed root's: an older `appliance` gave them
/// to the service user, so a compromised service could have planted a release that root later runs. The unit's
/// ExecStartPre (`update recover`, as root) gives them back to root:root before the next start, logs each change
/// (event 8021) and starts the service as always.
/// </summary>
public sealed partial class InstallDrillTests
{
    /// <param name="http">The forwarder to the container's plain listener, for /ready.</param>
    private static async Task RecoverGivesUpdateFoldersBackToRootAsync(Container c, Uri http, string runningVersion)
    {
        // What an older release left behind: both trees the service user's, the updates root group-writable.
        await c.MustAsync("chown", "-R", "--no-dereference", "appliance:appliance", "/var/lib/appliance/updates", "/var/lib/appliance/releases");
        await c.MustAsync("chmod", "0775", "/var/lib/appliance/updates");
        Assert.Equal("appliance 775", (await c.MustAsync("stat", "-c", "%U %a", "/var/lib/appliance/updates")).Trim());

        await c.MustAsync("systemctl", "restart", "appliance");

        Assert.Equal("active", (await c.MustAsync("systemctl", "is-active", "appliance")).Trim());
        Assert.Equal(runningVersion, await ReadyVersionAsync(http));
        Assert.Equal("root:root 755", (await c.MustAsync("stat", "-c", "%U:%G %a", "/var/lib/appliance/updates")).Trim());
        Assert.Equal("root:root 755", (await c.MustAsync("stat", "-c", "%U:%G %a", "/var/lib/appliance/releases")).Trim());
        var notRoots = await c.MustAsync("find", "/var/lib/appliance/updates", "/var/lib/appliance/releases", "(", "!", "-user", "root", "-o", "!", "-group", "root", ")");
        Assert.True(notRoots.Trim().Length == 0, "still not root's:\n" + notRoots);
        var logged = await c.MustAsync("journalctl", "-u", "appliance", "--no-pager", "-o", "cat", "APPLIANCE_EVENT_ID=8021");
        Assert.Contains("/var/lib/appliance/updates belonged to", logged, StringComparison.Ordinal);

        // Recovery did not trust the service-owned record (8032) and wrote it again as root, under the unit's UMask=0077:
        // still 0644, so the service reads its update state (the console's Updates page and upload need it).
        foreach (var record in new[] { "state.json", "history.json" })
        {
            Assert.Equal("root:root 644", (await c.MustAsync("stat", "-c", "%U:%G %a", "/var/lib/appliance/updates/" + record)).Trim());
            await c.MustAsync("runuser", "-u", "appliance", "--", "cat", "/var/lib/appliance/updates/" + record);
        }
    }
}
