using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Content;
using Appliance.Updates.Apply;
using Appliance.Updates.Versioning;
using Microsoft.Extensions.Logging;

namespace Appliance.Cli;

/// <summary>
/// `appliance update import|status|rollback|history|recover|adopt|root`: offline update bundles on the appliance.
/// The work is in Appliance.Updates (<see cref="Updater"/>); this file only maps options to it. Tests pass their
/// own factory to swap systemd and the HTTP readiness probe for fakes.
/// </summary>
public static class UpdateCommands
{
    /// <summary>What the options and the configuration say; the factory turns it into an <see cref="Updater"/>.</summary>
    /// <param name="Options">The configuration when it loads: the content check reads DERP settings from it.</param>
    public sealed record Settings(string Root, string? ReleasesDir, TimeSpan HealthTimeout, int ReadyPort, string Unit, ApplianceOptions? Options = null);

    /// <summary>The updates root under the data folder when --updates-root is not given.</summary>
    public const string UpdatesFolder = "updates";

    public static Command Create(Func<Settings, Updater>? factory = null)
    {
        factory ??= Production;
        var root = new Option<string?>("--updates-root") { Description = "The updates root (default: <server.data_dir>/updates; releases in updates.releases_dir).", Recursive = true };
        var timeout = new Option<int?>("--health-timeout") { Description = "Whole seconds a new release has to become ready (10..3600, as updates.health_timeout; default that key).", Recursive = true };
        var port = new Option<int?>("--ready-port") { Description = "Loopback port of /ready (default: the port of server.listen).", Recursive = true };
        var unit = new Option<string>("--unit") { Description = "systemd unit to restart.", DefaultValueFactory = _ => "appliance", Recursive = true };
        var command = new Command("update", "Import signed offline update bundles, check status, roll back.") { root, timeout, port, unit };

        // Explicit options win; whatever is missing comes from the configuration (updates:, server.data_dir,
        // server.listen). Returns null after printing the problems when the configuration is invalid.
        Updater? Open(ParseResult parse)
        {
            var explicitRoot = parse.GetValue(root);
            var seconds = parse.GetValue(timeout);
            var readyPort = parse.GetValue(port);
            string? releases = null;
            var healthTimeout = TimeSpan.FromSeconds(seconds ?? 120);
            ApplianceOptions? options = null;
            if (explicitRoot is null || seconds is null || readyPort is null)
            {
                var config = CliConfig.Load(parse);
                if (!config.IsValid)
                {
                    CliConfig.ReportProblems(config, parse.InvocationConfiguration.Error);
                    return null;
                }

                options = config.Options;

                var paths = AppliancePaths.From(config.Options);
                if (explicitRoot is null)
                {
                    explicitRoot = Path.Combine(paths.DataDir, UpdatesFolder);
                    releases = paths.ReleasesDir;
                }

                healthTimeout = seconds is null ? config.Options.Updates.HealthTimeout : healthTimeout;
                readyPort ??= ListenAddress.TryParse(config.Options.Server.Listen, out var endPoint) ? endPoint!.Port : 8080;
            }

            // The same range as updates.health_timeout (ApplianceOptionsValidator), so flag and key agree.
            if (healthTimeout < TimeSpan.FromSeconds(10) || healthTimeout > TimeSpan.FromHours(1))
            {
                parse.InvocationConfiguration.Error.WriteLine("--health-timeout must be between 10 and 3600 seconds");
                return null;
            }

            if (options is null && CliConfig.Load(parse) is { IsValid: true } loaded)
            {
                options = loaded.Options;
            }

            return factory(new Settings(explicitRoot, releases, healthTimeout, readyPort.Value, parse.GetRequiredValue(unit), options));
        }

        command.Subcommands.Add(Import(Open));
        command.Subcommands.Add(Status(Open));
        command.Subcommands.Add(Rollback(Open));
        command.Subcommands.Add(History(Open));
        command.Subcommands.Add(Recover(Open));
        command.Subcommands.Add(Adopt(Open));
        command.Subcommands.Add(RootMetadataCommands(Open));
        return command;
    }

    internal static Updater Production(Settings settings) =>
        new(new UpdatePaths(settings.Root, settings.ReleasesDir, InstalledTrustRoot.For(settings.Root)),
            new UpdaterOptions
            {
                HealthTimeout = settings.HealthTimeout,
                KeepVersions = settings.Options?.Updates.KeepVersions ?? 3,
                InstalledVersion = ApplianceVersion.TryParseInformational(VersionCommand.Version, out var v) ? v : null,
                ContentCheck = settings.Options is { } options
                    ? folder => UpdateContentValidator.Check(UpdateContentFiles.InFolder(folder), options, DateTimeOffset.UtcNow)
                    : null,
            },
            new SystemdRestarter(settings.Unit),
            new HttpReadyProbe(settings.ReadyPort, TimeProvider.System),
            TimeProvider.System);

    private static Command Import(Func<ParseResult, Updater?> open)
    {
        var path = new Argument<string?>("bundle") { Description = "The bundle file carried in.", Arity = ArgumentArity.ZeroOrOne };
        var fromInbox = new Option<bool>("--from-inbox")
        {
            Description = "Import the bundle the admin console left in <server.data_dir>/updates-inbox, as the person who asked (appliance-update.service runs this).",
        };
        var command = new Command("import", "Verify a bundle and apply it: stage, switch, restart, health-check, or roll back.") { path, fromInbox }.WithOutputOption();
        command.Validators.Add(result =>
        {
            if (result.GetValue(fromInbox) == (result.GetValue(path) is not null))
            {
                result.AddError("give either a bundle file or --from-inbox");
            }
        });
        command.SetAction(async (parse, ct) => await RefusingUnsafeAsync(parse, async () =>
        {
            if (open(parse) is not { } updater)
            {
                return ExitCodes.Config;
            }

            if (parse.GetValue(fromInbox))
            {
                return await UpdateInboxImport.RunAsync(parse, updater, ct).ConfigureAwait(false);
            }

            var outcome = await updater.ImportAsync(parse.GetRequiredValue(path)!, ct).ConfigureAwait(false);
            CliAudit.Record(CliContext.From(parse), "update.import", Path.GetFullPath(parse.GetRequiredValue(path)!), AuditResult(outcome));
            if (OperatingSystem.IsLinux())
            {
                InstallCommands.RefreshCommand(updater);
            }

            return Report(parse, outcome);
        }).ConfigureAwait(false));
        return command;
    }

    private static Command Status(Func<ParseResult, Updater?> open)
    {
        var command = new Command("status", "Show the running release, the previous one, content and any interrupted apply.").WithOutputOption();
        command.SetAction(parse =>
        {
            if (open(parse) is not { } updater)
            {
                return ExitCodes.Config;
            }

            var s = updater.Status();
            var interrupted = s.Pending is { } p ? $"{p.Kind} {p.Version} at step {p.Step} since {p.Started}" : null;
            var dto = new UpdateStatusDto(s.RootVersion, s.Current, s.Previous, s.Content, s.Releases, interrupted);
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), dto, CliJsonContext.Default.UpdateStatusDto, o =>
            {
                o.WriteLine($"root metadata: {(s.RootVersion is { } rv ? "version " + rv.ToString(CultureInfo.InvariantCulture) : "NOT PINNED")}");
                o.WriteLine($"current:       {s.Current ?? "unknown"} ({s.CurrentLink ?? "no current link"})");
                o.WriteLine($"previous:      {s.Previous ?? "none"}");
                o.WriteLine($"content:       {s.Content ?? "none"}");
                o.WriteLine($"releases:      {string.Join(", ", s.Releases)}");
                o.WriteLine(interrupted is null ? "interrupted:   none" : $"interrupted:   {interrupted} (run 'appliance update recover')");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rollback(Func<ParseResult, Updater?> open)
    {
        var command = new Command("rollback", "Switch back to the previous release kept on disk and restart.").WithOutputOption();
        command.SetAction(async (parse, ct) => await RefusingUnsafeAsync(parse, async () =>
        {
            if (open(parse) is not { } updater)
            {
                return ExitCodes.Config;
            }

            var outcome = await updater.RollbackAsync(ct).ConfigureAwait(false);
            CliAudit.Record(CliContext.From(parse), "update.rollback", updater.Status().Current ?? "unknown release", AuditResult(outcome, rollbackRequested: true));
            if (OperatingSystem.IsLinux())
            {
                InstallCommands.RefreshCommand(updater);
            }

            return Report(parse, outcome, rollbackRequested: true);
        }).ConfigureAwait(false));
        return command;
    }

    private static Command History(Func<ParseResult, Updater?> open)
    {
        var command = new Command("history", "List imports, rollbacks, recoveries and root rotations, oldest first.").WithOutputOption();
        command.SetAction(parse =>
        {
            if (open(parse) is not { } updater)
            {
                return ExitCodes.Config;
            }

            IReadOnlyList<HistoryEntry> history = [.. updater.History()];
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), history, CliJsonContext.Default.IReadOnlyListHistoryEntry, o =>
            {
                foreach (var e in history)
                {
                    o.WriteLine($"{e.At}  {e.Action,-11} {e.Version ?? "-",-10} from {e.From ?? "-",-10} {e.Outcome,-11} {e.Detail}");
                }
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Recover(Func<ParseResult, Updater?> open)
    {
        var noRestart = new Option<bool>("--no-restart") { Description = "Do not restart the service (use in ExecStartPre)." };
        var command = new Command("recover", "Complete or roll back an apply that was interrupted.") { noRestart }.WithOutputOption();
        command.SetAction(async (parse, ct) =>
        {
            if (open(parse) is not { } updater)
            {
                return ExitCodes.Config;
            }

            // The record is read before the ownership repair (which would make a planted state.json root's), then the
            // repair runs under the lock, then an interrupted apply is settled (decision 0112). The release to fall back
            // to is this very binary: the unit runs root's own copy (/usr/local/lib/appliance/current/appliance).
            UpdateOutcome outcome;
            using (var logs = CommandLog.Create(parse.InvocationConfiguration.Error))
            {
                var ownership = logs.CreateLogger("Appliance.Updates.Ownership");
                var recover = logs.CreateLogger("Appliance.Updates.Recover");
                var checks = new RecoverChecks(
                    ApplianceVersion.TryParseInformational(VersionCommand.Version, out var running) ? running : null,
                    () => UpdatesOwnershipRepair.Run([updater.Paths.Root, updater.Paths.Releases], ownership),
                    finding => UpdateRecoverLog.Finding(recover, finding));
                try
                {
                    outcome = await updater.RecoverAsync(!parse.GetValue(noRestart), checks, ct).ConfigureAwait(false);
                }
                catch (UnsafeUpdatePathException e)
                {
                    UpdateRecoverLog.LockRefused(recover, e.Message);
                    await parse.InvocationConfiguration.Error.WriteLineAsync("refused: " + e.Message).ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                // Before every start of the installed service (ExecStartPre, as root): the operators' command and root's
                // units follow the recorded release, but only to a copy root made itself (decision 0112), and a site
                // upgraded by an import gets this release's units (which never run the data folder's binary as root).
                if (OperatingSystem.IsLinux())
                {
                    InstallCommands.PointCommandAtRecorded(updater, recover);
                    InstallCommands.RefreshUnits(recover);
                }
            }

            if (parse.GetValue(noRestart) && outcome.Result == UpdateResult.Refused)
            {
                // ExecStartPre while `update import` (or rollback) holds the lock: that command restarted the service
                // and is waiting for it to become healthy. Failing here would fail its health check.
                const string busy = "an update command is in progress and handles this start; nothing to recover";
                CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), new UpdateOutcomeDto(true, outcome.Result.ToString(), null, busy),
                    CliJsonContext.Default.UpdateOutcomeDto, o => o.WriteLine(busy));
                return ExitCodes.Ok;
            }

            return Report(parse, outcome);
        });
        return command;
    }

    private static Command Adopt(Func<ParseResult, Updater?> open)
    {
        var version = new Option<string>("--version") { Description = "The installed release's version.", Required = true };
        var binary = new Option<string>("--binary") { Description = "The installed appliance binary to copy in.", Required = true };
        var command = new Command("adopt", "Install time: make the installed binary the first release under releases/.") { version, binary }.WithOutputOption();
        command.SetAction(parse =>
        {
            if (!ApplianceVersion.TryParse(parse.GetRequiredValue(version), out var v))
            {
                parse.InvocationConfiguration.Error.WriteLine("--version must be MAJOR.MINOR.PATCH");
                return ExitCodes.Usage;
            }

            var file = parse.GetRequiredValue(binary);
            if (!File.Exists(file))
            {
                parse.InvocationConfiguration.Error.WriteLine($"refused: {file} does not exist");
                return ExitCodes.Failure;
            }

            if (open(parse) is not { } updater)
            {
                return ExitCodes.Config;
            }

            try
            {
                updater.AdoptInstalledRelease(v, file);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // Adopted before, or another update command holds the lock: nothing was switched.
                parse.InvocationConfiguration.Error.WriteLine("refused: " + e.Message);
                return ExitCodes.Failure;
            }

            var message = $"release {v} adopted as current";
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), new UpdateAdoptDto(v.ToString(), message),
                CliJsonContext.Default.UpdateAdoptDto, o => o.WriteLine(message));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RootMetadataCommands(Func<ParseResult, Updater?> open)
    {
        var root = new Command("root", "Pin or rotate the root metadata that bundles are verified against.");
        var path = new Argument<string>("file") { Description = "Root metadata file (root.json)." };
        var install = new Option<bool>("--install") { Description = "Pin the first root metadata (install time only)." };
        var import = new Command("import", "Pin (--install) or rotate the trusted root metadata.") { path, install }.WithOutputOption();
        import.SetAction(parse =>
        {
            var file = parse.GetRequiredValue(path);
            if (!File.Exists(file) || new FileInfo(file).Length > Updates.Trust.RootMetadata.MaxFileSize)
            {
                return RootRefused(parse, $"{file} does not exist or is too large");
            }

            if (open(parse) is not { } updater)
            {
                return ExitCodes.Config;
            }

            var check = updater.ImportRoot(File.ReadAllBytes(file), parse.GetValue(install));
            if (!check.IsAccepted)
            {
                return RootRefused(parse, check.Reason);
            }

            const string message = "root metadata accepted and pinned";
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse),
                new RootImportDto(true, updater.PinnedRoot()?.Version, message), CliJsonContext.Default.RootImportDto, o => o.WriteLine(message));
            return ExitCodes.Ok;
        });
        var show = new Command("show", "Print the pinned root metadata's version, keys and thresholds.").WithOutputOption();
        show.SetAction(parse =>
        {
            if (open(parse) is not { } updater)
            {
                return ExitCodes.Config;
            }

            if (updater.PinnedRoot() is not { } r)
            {
                parse.InvocationConfiguration.Error.WriteLine("no valid root metadata is pinned");
                return ExitCodes.Failure;
            }

            var dto = new RootMetadataDto(r.Version, r.Root.Threshold, Ids(r.Root), r.Signing.Threshold, Ids(r.Signing));
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), dto, CliJsonContext.Default.RootMetadataDto, o =>
            {
                o.WriteLine($"version {dto.Version}; root {dto.RootThreshold} of {dto.RootKeys.Count}; signing {dto.SigningThreshold} of {dto.SigningKeys.Count}");
                foreach (var k in dto.RootKeys)
                {
                    o.WriteLine($"root key    {k}");
                }

                foreach (var k in dto.SigningKeys)
                {
                    o.WriteLine($"signing key {k}");
                }
            });
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(import);
        root.Subcommands.Add(show);
        return root;
    }

    /// <summary>
    /// A lock file the service user could have planted (a link, not a regular file, not root's): the command is refused
    /// with the reason, logged as event 8037, and nothing was read through it or changed.
    /// </summary>
    private static async Task<int> RefusingUnsafeAsync(ParseResult parse, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (UnsafeUpdatePathException e)
        {
            using (var logs = CommandLog.Create(parse.InvocationConfiguration.Error))
            {
                UpdateRecoverLog.LockRefused(logs.CreateLogger("Appliance.Updates"), e.Message);
            }

            await parse.InvocationConfiguration.Error.WriteLineAsync("refused: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static string[] Ids(Updates.Trust.TrustRole role) => [.. role.Keys.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal)];

    /// <summary>A refused root import: the reason on stderr; the machine formats also get the result on stdout.</summary>
    private static int RootRefused(ParseResult parse, string reason)
    {
        var format = CliOutput.FormatOf(parse);
        if (format != OutputFormat.Table)
        {
            CliOutput.Write(parse.InvocationConfiguration.Output, format, new RootImportDto(false, null, "refused: " + reason), CliJsonContext.Default.RootImportDto, _ => { });
        }

        parse.InvocationConfiguration.Error.WriteLine("refused: " + reason);
        return ExitCodes.Failure;
    }

    /// <summary>Exit 0 when the command did what was asked: for `rollback`, rolling back is success.</summary>
    /// <summary>The outcome as an audit result (docs/ops/audit.md): "ok: MESSAGE" or "failed (RESULT, ERROR): MESSAGE".</summary>
    internal static string AuditResult(UpdateOutcome outcome, bool rollbackRequested = false) =>
        outcome.Succeeded || (rollbackRequested && outcome.Result == UpdateResult.RolledBack)
            ? "ok: " + outcome.Message
            : $"failed ({outcome.Result}{(outcome.Error == Updates.Bundles.BundleError.None ? "" : ", " + outcome.Error)}): {outcome.Message}";

    internal static int Report(ParseResult parse, UpdateOutcome outcome, bool rollbackRequested = false)
    {
        var ok = outcome.Succeeded || (rollbackRequested && outcome.Result == UpdateResult.RolledBack);
        var reason = outcome.Error == Updates.Bundles.BundleError.None ? outcome.Result.ToString() : outcome.Error.ToString();
        var format = CliOutput.FormatOf(parse);
        if (format != OutputFormat.Table)
        {
            var dto = new UpdateOutcomeDto(ok, outcome.Result.ToString(), outcome.Error == Updates.Bundles.BundleError.None ? null : outcome.Error.ToString(), outcome.Message);
            CliOutput.Write(parse.InvocationConfiguration.Output, format, dto, CliJsonContext.Default.UpdateOutcomeDto, _ => { });
        }

        if (ok)
        {
            if (format == OutputFormat.Table)
            {
                parse.InvocationConfiguration.Output.WriteLine(outcome.Message);
            }

            return ExitCodes.Ok;
        }

        parse.InvocationConfiguration.Error.WriteLine($"{outcome.Result.ToString().ToLowerInvariant()} ({reason}): {outcome.Message}");
        return ExitCodes.Failure;
    }
}
