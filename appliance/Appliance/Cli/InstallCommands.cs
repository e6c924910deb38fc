using System.CommandLine;
using System.Reflection;
using System.Runtime.Versioning;
using Appliance.Hosting.Configuration;
using Appliance.Pki.Authority;
using Appliance.Pki.Export;
using Appliance.Updates.Apply;
using Appliance.Updates.Versioning;

namespace Appliance.Cli;

/// <summary>
/// `appliance install` and `appliance uninstall [--purge]` (run as root, on a machine with systemd): the FHS layout of
/// <see cref="InstalledLayout"/>, the service user from sysusers.d, tmpfiles.d, the hardened unit (embedded from
/// installer/), the first release from a signed bundle verified against root.json, enable and start. Both are
/// idempotent: install again repairs files and upgrades from a newer bundle; uninstall keeps the data unless --purge.
/// </summary>
[SupportedOSPlatform("linux")]
public static class InstallCommands
{
    private const string UnitPath = "/etc/systemd/system/appliance.service";

    /// <summary>The admin console's importer (docs/console.md): the path unit watches the inbox, the oneshot imports as root.</summary>
    private const string UpdatePathUnit = "/etc/systemd/system/appliance-update.path";
    private const string UpdateServiceUnit = "/etc/systemd/system/appliance-update.service";
    private const string SysusersPath = "/etc/sysusers.d/appliance.conf";
    private const string TmpfilesPath = "/etc/tmpfiles.d/appliance.conf";
    private const string UpdatesRoot = InstalledLayout.DataDir + "/updates";

    public static Command CreateInstall()
    {
        var bundle = new Option<string?>("--bundle") { Description = "The signed release bundle (.aupd) to install; verified against --root." };
        var root = new Option<string?>("--root") { Description = "root.json to pin (first install) or rotate to; bundles are verified against it." };
        var noStart = new Option<bool>("--no-start") { Description = "Install and enable, but do not start the service." };
        var command = new Command("install", "Install (or repair, or upgrade) the appliance as a systemd service. Run as root.") { bundle, root, noStart };
        command.SetAction(async (parse, ct) => await RunAsync(parse, () => InstallAsync(parse.GetValue(bundle), parse.GetValue(root), !parse.GetValue(noStart), parse.InvocationConfiguration.Output, ct)).ConfigureAwait(false));
        return command;
    }

    public static Command CreateUninstall()
    {
        var purge = new Option<bool>("--purge") { Description = "Also delete the data (/var/lib/appliance, and what backup restore set aside beside it), configuration, logs and the service user." };
        var command = new Command("uninstall", "Stop and remove the service; the data stays unless --purge. Run as root.") { purge };
        command.SetAction(async (parse, ct) => await RunAsync(parse, () =>
        {
            Uninstall(parse.GetValue(purge), parse.InvocationConfiguration.Output);
            return Task.CompletedTask;
        }).ConfigureAwait(false));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<Task> action)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("error: install and uninstall must run as root (sudo)").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (!Directory.Exists("/run/systemd/system"))
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("error: systemd is not running on this machine (no /run/systemd/system); the appliance installs as a systemd service").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        try
        {
            await action().ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (InstallException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static async Task InstallAsync(string? bundle, string? rootFile, bool start, TextWriter output, CancellationToken cancellationToken)
    {
        Step(output, "service user and groups (sysusers.d)");
        WriteResource("installer/sysusers.conf", SysusersPath);
        SystemCommand.Run("systemd-sysusers", SysusersPath);

        Step(output, "folders (tmpfiles.d): /var/lib/appliance 0700, /run/appliance for admin.sock");
        WriteResource("installer/tmpfiles.conf", TmpfilesPath);
        SystemCommand.Run("systemd-tmpfiles", "--create", TmpfilesPath);
        Directory.CreateDirectory(InstalledLayout.ConfigDir);

        var updater = CreateUpdater();
        MoveRootMetadata(updater, output);
        if (rootFile is not null)
        {
            PinRoot(updater, rootFile, output);
        }

        var wasRunning = SystemCommand.TryRun("systemctl", "is-active", "--quiet", InstalledLayout.Unit).Code == 0;
        if (bundle is not null)
        {
            await InstallReleaseAsync(updater, bundle, wasRunning, output, cancellationToken).ConfigureAwait(false);
        }
        else if (LinkTarget(updater) is null)
        {
            throw new InstallException("no release is installed yet: give the signed release bundle with --bundle (install.sh does)");
        }

        Step(output, $"the operator command {InstalledLayout.CommandLink} -> {InstalledLayout.CommandLibrary}/current/appliance");
        SyncCommand(updater);

        Step(output, $"systemd unit {UnitPath}");
        WriteResource("installer/appliance.service", UnitPath);
        Step(output, $"the console's update importer {UpdatePathUnit} and {UpdateServiceUnit}");
        WriteResource("installer/appliance-update.service", UpdateServiceUnit);
        WriteResource("installer/appliance-update.path", UpdatePathUnit);
        SystemCommand.Run("systemctl", "daemon-reload");
        SystemCommand.Run("systemctl", "enable", InstalledLayout.Unit);
        SystemCommand.Run("systemctl", "enable", "--now", "appliance-update.path");
        if (!start)
        {
            output.WriteLine("Installed and enabled; start it with: systemctl start appliance");
            return;
        }

        // Type=notify: `systemctl start` returns once the service sent READY=1 (state loaded, listeners bound).
        Step(output, "starting the service");
        SystemCommand.Run("systemctl", wasRunning ? "try-restart" : "start", InstalledLayout.Unit);
        PrintFirstBoot(output);
    }

    /// <summary>
    /// An install over an older one: its trust root, updates/root.json in the data folder, moves once to root's own
    /// <see cref="InstalledTrustRoot.PinnedFile"/> (decision 0112; events 8041/8042, as `update recover` logs them).
    /// </summary>
    private static void MoveRootMetadata(Updater updater, TextWriter output)
    {
        if (updater.MoveDataFolderRootMetadata() is not { } finding)
        {
            return;
        }

        using (var logs = CommandLog.Create(Console.Error))
        {
            UpdateRecoverLog.Finding(logs.CreateLogger("Appliance.Updates.Recover"), finding);
        }

        Step(output, finding.Kind == RecoverFindingKind.RootMetadataMoved
            ? $"root metadata moved from {finding.Path} to {InstalledTrustRoot.PinnedFile}"
            : $"root metadata in {finding.Path} not moved (see the error above)");
    }

    private static void PinRoot(Updater updater, string rootFile, TextWriter output)
    {
        if (!File.Exists(rootFile) || new FileInfo(rootFile).Length > Updates.Trust.RootMetadata.MaxFileSize)
        {
            throw new InstallException($"{rootFile} does not exist or is too large");
        }

        var bytes = File.ReadAllBytes(rootFile);
        var pinned = updater.PinnedRoot();
        if (pinned is not null && File.ReadAllBytes(updater.Paths.RootMetadata).AsSpan().SequenceEqual(bytes))
        {
            Step(output, "root metadata already pinned");
            return;
        }

        var check = updater.ImportRoot(bytes, install: pinned is null);
        if (!check.IsAccepted)
        {
            throw new InstallException($"root metadata {rootFile} refused: {check.Reason}");
        }

        Step(output, pinned is null ? "root metadata pinned" : "root metadata rotated");
    }

    private static async Task InstallReleaseAsync(Updater updater, string bundle, bool running, TextWriter output, CancellationToken cancellationToken)
    {
        if (LinkTarget(updater) is null || !running)
        {
            Step(output, "release from the signed bundle (verified against the pinned root.json)");
            var outcome = updater.InstallFirstRelease(bundle);
            if (!outcome.Succeeded)
            {
                // A newer bundle over a stopped service cannot be health-checked; say how instead of guessing.
                throw new InstallException($"{outcome.Result.ToString().ToLowerInvariant()} ({outcome.Error}): {outcome.Message}");
            }

            output.WriteLine("  " + outcome.Message);
            return;
        }

        Step(output, "upgrade from the signed bundle (update import: health-checked, rolled back on failure)");
        var import = await updater.ImportAsync(bundle, cancellationToken).ConfigureAwait(false);
        if (import.Succeeded || import.Error == Updates.Bundles.BundleError.NotNewer)
        {
            output.WriteLine("  " + import.Message);
            return;
        }

        throw new InstallException($"{import.Result.ToString().ToLowerInvariant()} ({import.Error}): {import.Message}");
    }

    /// <summary>The operators' command (decision 0094): a link to a copy of the current release outside the 0700 data folder.</summary>
    private static OperatorCommand Command() => new(InstalledLayout.CommandLibrary, InstalledLayout.CommandLink);

    /// <summary>Points the operators' command at the updater's current release (copied once, switched by rename).</summary>
    private static void SyncCommand(Updater updater)
    {
        var status = updater.Status();
        var version = Path.GetFileName(status.CurrentLink?.TrimEnd('/'))
            ?? throw new InstallException("no current release to point the operator command at");
        Command().Sync(Path.Combine(updater.Paths.Root, "current", "appliance"), version, status.Releases);
    }

    /// <summary>
    /// After an update, a rollback or a recovery of the installed appliance (run as root): the operators' command
    /// follows the release that now runs. Never writes to a file a process runs from (see <see cref="OperatorCommand"/>),
    /// so it is safe from the unit's ExecStartPre while `update import` runs the command. Elsewhere (a development
    /// data folder, an appliance that is not installed, not root) it does nothing.
    /// </summary>
    public static void RefreshCommand(Updater updater)
    {
        ArgumentNullException.ThrowIfNull(updater);
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists(UnitPath)
            || updater.Paths.Root != UpdatesRoot || !File.Exists(Path.Combine(updater.Paths.Root, "current", "appliance")))
        {
            return;
        }

        try
        {
            SyncCommand(updater);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InstallException)
        {
            Console.Error.WriteLine($"warning: could not point {InstalledLayout.CommandLink} at the current release: {e.Message}; run 'sh install.sh' again");
        }
    }

    /// <summary>
    /// `update recover` (the unit's ExecStartPre, as root): points the operators' command, and with it what root's units run,
    /// at root's own copy of the release state.json records. Never copies from the data folder: the service user can
    /// replace anything there (even a root-owned folder, by renaming it within the data folder it owns), so a copy made
    /// here could be its binary. Only a site with no copy at all (installed before decision 0094) gets its first one here.
    /// </summary>
    public static void PointCommandAtRecorded(Updater updater, Microsoft.Extensions.Logging.ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(updater);
        if (!IsInstalledRoot(updater))
        {
            return;
        }

        try
        {
            var command = Command();
            if (command.CurrentFolder() is null)
            {
                SyncCommand(updater);
                return;
            }

            if (updater.Status().Current is { } recorded && !command.TryPoint(recorded))
            {
                UpdateRecoverLog.RootCopyKept(logger, Path.Combine(InstalledLayout.CommandLibrary, "current"),
                    $"the recorded release {recorded} has no copy root made; root's units and the operators' command stay on {command.CurrentFolder()} until 'appliance update import', 'update rollback' or 'install' makes one");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InstallException)
        {
            Console.Error.WriteLine($"warning: could not point {InstalledLayout.CommandLink} at the recorded release: {e.Message}");
        }
    }

    /// <summary>
    /// `update recover` as root on the installed appliance: writes this release's unit files over different ones (a site
    /// upgraded by `update import` keeps the units its first release wrote, which ran the data folder's binary as root)
    /// and reloads systemd. Only once root's own copy exists, since the new units run it.
    /// </summary>
    public static void RefreshUnits(Microsoft.Extensions.Logging.ILogger logger)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists(UnitPath)
            || !File.Exists(Path.Combine(InstalledLayout.CommandLibrary, "current", "appliance")))
        {
            return;
        }

        try
        {
            var changed = new List<string>();
            foreach (var (resource, path) in new[] { ("installer/appliance.service", UnitPath), ("installer/appliance-update.service", UpdateServiceUnit) })
            {
                if (!File.Exists(path) || !ResourceBytes(resource).AsSpan().SequenceEqual(File.ReadAllBytes(path)))
                {
                    WriteResource(resource, path);
                    changed.Add(path);
                }
            }

            if (changed.Count > 0)
            {
                var reload = SystemCommand.TryRun("systemctl", "daemon-reload");
                var result = reload.Code == 0 ? "done" : $"exit {reload.Code}: {reload.Stderr.Trim()}";
                foreach (var path in changed)
                {
                    UpdateRecoverLog.UnitRefreshed(logger, path, Path.Combine(InstalledLayout.CommandLibrary, "current", "appliance"), result);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InstallException)
        {
            Console.Error.WriteLine($"warning: could not refresh the unit files: {e.Message}; run 'sh install.sh' again");
        }
    }

    private static bool IsInstalledRoot(Updater updater) =>
        OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists(UnitPath) && updater.Paths.Root == UpdatesRoot;

    private static byte[] ResourceBytes(string name)
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InstallException($"the binary lacks its embedded {name}");
        using var copy = new MemoryStream();
        resource.CopyTo(copy);
        return copy.ToArray();
    }

    private static void PrintFirstBoot(TextWriter output)
    {
        var config = ConfigLoader.Load(null, new Dictionary<string, string> { ["APPLIANCE_DATA_DIR"] = InstalledLayout.DataDir });
        var serverUrl = config.Options.Server.ServerUrl;
        string fingerprint;
        try
        {
            using var restorer = new OwnershipRestorer(InstalledLayout.DataDir);
            using var ca = LocalCa.Open(InstalledLayout.DataDir, TimeProvider.System);
            fingerprint = CertificatePins.DisplayFingerprint(ca.Root);
        }
#pragma warning disable CA1031 // The service runs; a CA that cannot be read here is reported, not fatal.
        catch (Exception e)
#pragma warning restore CA1031
        {
            fingerprint = $"(not readable yet: {e.Message}; see 'appliance ca status')";
        }

        output.WriteLine();
        output.WriteLine("The appliance is installed and running (systemctl status appliance).");
        output.WriteLine($"CA root SHA-256: {fingerprint}");
        output.WriteLine($"Server URL:      {serverUrl}");
        output.WriteLine("Next:");
        output.WriteLine("  1) appliance users create alice");
        output.WriteLine("  2) appliance preauthkeys create --user alice --expiration 1h");
        output.WriteLine($"  3) on each device: tailscale up --login-server {serverUrl} --authkey KEY");
        output.WriteLine($"Operators who are not root: usermod -aG {InstalledLayout.AdminGroup} NAME (then log in again).");
    }

    private static void Uninstall(bool purge, TextWriter output)
    {
        Step(output, "stopping and disabling the service");
        SystemCommand.TryRun("systemctl", "disable", "--now", "appliance-update.path");
        SystemCommand.TryRun("systemctl", "disable", "--now", InstalledLayout.Unit);
        foreach (var file in new[] { UpdatePathUnit, UpdateServiceUnit, UnitPath, SysusersPath, TmpfilesPath })
        {
            File.Delete(file);
        }

        // The copies stay with the data (without --purge) and are pointed at again by the next install.
        var kept = Command().Remove(copies: purge);

        SystemCommand.Run("systemctl", "daemon-reload");
        SystemCommand.TryRun("systemctl", "reset-failed", InstalledLayout.Unit, "appliance-update.service", "appliance-update.path");
        DeleteDirectory(InstalledLayout.RuntimeDir);
        if (!purge)
        {
            output.WriteLine($"Uninstalled. The data stays in {InstalledLayout.DataDir} (and {InstalledLayout.ConfigDir}); 'appliance install' uses it again, 'appliance uninstall --purge' deletes it.");
            return;
        }

        Step(output, "deleting data, configuration, cache, logs and the service user");
        foreach (var folder in new[] { InstalledLayout.DataDir, InstalledLayout.ConfigDir, "/var/cache/appliance", "/var/cache/appliance-recover", "/var/log/appliance" })
        {
            DeleteDirectory(folder);
        }

        // `backup restore` sets the data it replaced aside beside the data folder, keys and CA included: those go too.
        foreach (var folder in Directory.GetDirectories(Path.GetDirectoryName(InstalledLayout.DataDir)!, Path.GetFileName(InstalledLayout.DataDir) + ".before-restore-*"))
        {
            DeleteDirectory(folder);
        }

        SystemCommand.TryRun("userdel", InstalledLayout.User);
        SystemCommand.TryRun("groupdel", InstalledLayout.User);
        SystemCommand.TryRun("groupdel", InstalledLayout.AdminGroup);
        if (kept is not null)
        {
            // This process runs from that copy and loads assemblies from it until it exits: a transient timer deletes
            // it a few seconds later, unless an install has put the command back meanwhile. AccuracySec: a timer's
            // default accuracy is a minute (systemd.timer(5)), which let the removal come up to 70 s late.
            var scheduled = SystemCommand.TryRun("systemd-run", "--collect", "--on-active=10s", "--timer-property=AccuracySec=1s", "/bin/sh", "-c",
                $"[ -e {InstalledLayout.CommandLink} ] || rm -rf {InstalledLayout.CommandLibrary}");
            output.WriteLine(scheduled.Code == 0
                ? $"{InstalledLayout.CommandLibrary} is removed in 10 seconds ({scheduled.Stderr.Trim()} {scheduled.Stdout.Trim()})."
                : $"warning: could not schedule the removal of {InstalledLayout.CommandLibrary} (systemd-run exited {scheduled.Code}: {scheduled.Stderr.Trim()}); remove it with: rm -rf {InstalledLayout.CommandLibrary}");
        }

        output.WriteLine("Uninstalled and purged.");
    }

    private static Updater CreateUpdater()
    {
        var config = ConfigLoader.Load(null, new Dictionary<string, string> { ["APPLIANCE_DATA_DIR"] = InstalledLayout.DataDir });
        var port = ListenAddress.TryParse(config.Options.Server.Listen, out var endPoint) ? endPoint.Port : 8080;
        var settings = new UpdateCommands.Settings(UpdatesRoot, AppliancePaths.From(config.Options).ReleasesDir,
            config.Options.Updates.HealthTimeout, port, InstalledLayout.Unit, config.IsValid ? config.Options : null);
        return UpdateCommands.Production(settings);
    }

    private static string? LinkTarget(Updater updater) => updater.Status().CurrentLink;

    private static void WriteResource(string name, string path)
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InstallException($"the binary lacks its embedded {name}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".new";
        using (var file = File.Create(temporary))
        {
            resource.CopyTo(file);
        }

        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temporary, path, overwrite: true);
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static void Step(TextWriter output, string what) => output.WriteLine("- " + what);
}
