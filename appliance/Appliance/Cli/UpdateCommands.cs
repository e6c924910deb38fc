using System.CommandLine;
using System.Globalization;
using Appliance.Updates.Apply;
using Appliance.Updates.Versioning;

namespace Appliance.Cli;

/// <summary>
/// `appliance update import|status|rollback|history|recover|adopt|root`: offline update bundles on the appliance.
/// The work is in Appliance.Updates (<see cref="Updater"/>); this file only maps options to it. Tests pass their
/// own factory to swap systemd and the HTTP readiness probe for fakes.
/// </summary>
public static class UpdateCommands
{
    /// <summary>What the options say; the factory turns it into an <see cref="Updater"/>.</summary>
    public sealed record Settings(string Root, TimeSpan HealthTimeout, int ReadyPort, string Unit);

    public static Command Create(Func<Settings, Updater>? factory = null)
    {
        factory ??= Production;
        var root = new Option<string>("--updates-root") { Description = "The updates root.", DefaultValueFactory = _ => UpdatePaths.DefaultRoot, Recursive = true };
        var timeout = new Option<int>("--health-timeout") { Description = "Seconds a new release has to become ready (5..3600).", DefaultValueFactory = _ => 120, Recursive = true };
        var port = new Option<int>("--ready-port") { Description = "Loopback port of the appliance's /ready endpoint.", DefaultValueFactory = _ => 8080, Recursive = true };
        var unit = new Option<string>("--unit") { Description = "systemd unit to restart.", DefaultValueFactory = _ => "appliance", Recursive = true };
        var command = new Command("update", "Import signed offline update bundles, check status, roll back.") { root, timeout, port, unit };

        Updater Open(ParseResult parse)
        {
            var seconds = parse.GetValue(timeout);
            if (seconds is < 5 or > 3600)
            {
                throw new ArgumentException("--health-timeout must be between 5 and 3600 seconds");
            }

            return factory(new Settings(parse.GetRequiredValue(root), TimeSpan.FromSeconds(seconds), parse.GetValue(port), parse.GetRequiredValue(unit)));
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

    private static Updater Production(Settings settings) =>
        new(new UpdatePaths(settings.Root),
            new UpdaterOptions
            {
                HealthTimeout = settings.HealthTimeout,
                InstalledVersion = ApplianceVersion.TryParseInformational(VersionCommand.Version, out var v) ? v : null,
            },
            new SystemdRestarter(settings.Unit),
            new HttpReadyProbe(settings.ReadyPort, TimeProvider.System),
            TimeProvider.System);

    private static Command Import(Func<ParseResult, Updater> open)
    {
        var path = new Argument<string>("bundle") { Description = "The bundle file carried in." };
        var command = new Command("import", "Verify a bundle and apply it: stage, switch, restart, health-check, or roll back.") { path };
        command.SetAction(async (parse, ct) =>
        {
            var outcome = await open(parse).ImportAsync(parse.GetRequiredValue(path), ct).ConfigureAwait(false);
            return Report(parse, outcome);
        });
        return command;
    }

    private static Command Status(Func<ParseResult, Updater> open)
    {
        var command = new Command("status", "Show the running release, the previous one, content and any interrupted apply.");
        command.SetAction(parse =>
        {
            var s = open(parse).Status();
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"root metadata: {(s.RootVersion is { } rv ? "version " + rv.ToString(CultureInfo.InvariantCulture) : "NOT PINNED")}");
            o.WriteLine($"current:       {s.Current ?? "unknown"} ({s.CurrentLink ?? "no current link"})");
            o.WriteLine($"previous:      {s.Previous ?? "none"}");
            o.WriteLine($"content:       {s.Content ?? "none"}");
            o.WriteLine($"releases:      {string.Join(", ", s.Releases)}");
            o.WriteLine(s.Pending is { } p
                ? $"interrupted:   {p.Kind} {p.Version} at step {p.Step} since {p.Started} (run 'appliance update recover')"
                : "interrupted:   none");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rollback(Func<ParseResult, Updater> open)
    {
        var command = new Command("rollback", "Switch back to the previous release kept on disk and restart.");
        command.SetAction(async (parse, ct) => Report(parse, await open(parse).RollbackAsync(ct).ConfigureAwait(false), rollbackRequested: true));
        return command;
    }

    private static Command History(Func<ParseResult, Updater> open)
    {
        var command = new Command("history", "List imports, rollbacks, recoveries and root rotations, oldest first.");
        command.SetAction(parse =>
        {
            foreach (var e in open(parse).History())
            {
                parse.InvocationConfiguration.Output.WriteLine($"{e.At}  {e.Action,-11} {e.Version ?? "-",-10} from {e.From ?? "-",-10} {e.Outcome,-11} {e.Detail}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Recover(Func<ParseResult, Updater> open)
    {
        var noRestart = new Option<bool>("--no-restart") { Description = "Do not restart the service (use in ExecStartPre)." };
        var command = new Command("recover", "Complete or roll back an apply that was interrupted.") { noRestart };
        command.SetAction(async (parse, ct) =>
            Report(parse, await open(parse).RecoverAsync(!parse.GetValue(noRestart), ct).ConfigureAwait(false)));
        return command;
    }

    private static Command Adopt(Func<ParseResult, Updater> open)
    {
        var version = new Option<string>("--version") { Description = "The installed release's version.", Required = true };
        var binary = new Option<string>("--binary") { Description = "The installed appliance binary to copy in.", Required = true };
        var command = new Command("adopt", "Install time: make the installed binary the first release under releases/.") { version, binary };
        command.SetAction(parse =>
        {
            if (!ApplianceVersion.TryParse(parse.GetRequiredValue(version), out var v))
            {
                parse.InvocationConfiguration.Error.WriteLine("--version must be MAJOR.MINOR.PATCH");
                return ExitCodes.Usage;
            }

            open(parse).AdoptInstalledRelease(v, parse.GetRequiredValue(binary));
            parse.InvocationConfiguration.Output.WriteLine($"release {v} adopted as current");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RootMetadataCommands(Func<ParseResult, Updater> open)
    {
        var root = new Command("root", "Pin or rotate the root metadata that bundles are verified against.");
        var path = new Argument<string>("file") { Description = "Root metadata file (root.json)." };
        var install = new Option<bool>("--install") { Description = "Pin the first root metadata (install time only)." };
        var import = new Command("import", "Pin (--install) or rotate the trusted root metadata.") { path, install };
        import.SetAction(parse =>
        {
            var file = parse.GetRequiredValue(path);
            if (!File.Exists(file) || new FileInfo(file).Length > Updates.Trust.RootMetadata.MaxFileSize)
            {
                parse.InvocationConfiguration.Error.WriteLine($"refused: {file} does not exist or is too large");
                return ExitCodes.Failure;
            }

            var check = open(parse).ImportRoot(File.ReadAllBytes(file), parse.GetValue(install));
            if (!check.IsAccepted)
            {
                parse.InvocationConfiguration.Error.WriteLine("refused: " + check.Reason);
                return ExitCodes.Failure;
            }

            parse.InvocationConfiguration.Output.WriteLine("root metadata accepted and pinned");
            return ExitCodes.Ok;
        });
        var show = new Command("show", "Print the pinned root metadata's version, keys and thresholds.");
        show.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            if (open(parse).PinnedRoot() is not { } r)
            {
                parse.InvocationConfiguration.Error.WriteLine("no valid root metadata is pinned");
                return ExitCodes.Failure;
            }

            o.WriteLine($"version {r.Version}; root {r.Root.Threshold} of {r.Root.Keys.Count}; signing {r.Signing.Threshold} of {r.Signing.Keys.Count}");
            foreach (var k in r.Root.Keys.Keys)
            {
                o.WriteLine($"root key    {k}");
            }

            foreach (var k in r.Signing.Keys.Keys)
            {
                o.WriteLine($"signing key {k}");
            }

            return ExitCodes.Ok;
        });
        root.Subcommands.Add(import);
        root.Subcommands.Add(show);
        return root;
    }

    /// <summary>Exit 0 when the command did what was asked: for `rollback`, rolling back is success.</summary>
    private static int Report(ParseResult parse, UpdateOutcome outcome, bool rollbackRequested = false)
    {
        if (outcome.Succeeded || (rollbackRequested && outcome.Result == UpdateResult.RolledBack))
        {
            parse.InvocationConfiguration.Output.WriteLine(outcome.Message);
            return ExitCodes.Ok;
        }

        var reason = outcome.Error == Updates.Bundles.BundleError.None ? outcome.Result.ToString() : outcome.Error.ToString();
        parse.InvocationConfiguration.Error.WriteLine($"{outcome.Result.ToString().ToLowerInvariant()} ({reason}): {outcome.Message}");
        return ExitCodes.Failure;
    }
}
