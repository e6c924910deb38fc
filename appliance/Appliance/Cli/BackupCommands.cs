using System.CommandLine;
using System.Globalization;
using Appliance.Hosting.Backup;

namespace Appliance.Cli;

/// <summary>
/// <c>appliance backup create|list|verify|restore</c> (docs/ops/backups.md). The work is in Hosting/Backup; this file
/// maps options to it. Exit codes: 0 done, 1 failed (the reason on stderr, nothing overwritten), 75 restore refused
/// because the appliance is running.
/// </summary>
public static class BackupCommands
{
    public static Command Create()
    {
        var command = new Command("backup", "Back up, restore-drill and restore the appliance's data.");
        CliContext.AddOptions(command);
        command.Subcommands.Add(CreateVerb());
        command.Subcommands.Add(ListVerb());
        command.Subcommands.Add(VerifyVerb());
        command.Subcommands.Add(RestoreVerb());
        return command;
    }

    private static Command CreateVerb()
    {
        var outDir = new Option<string?>("--out") { Description = "Folder for the archive (default: backup.dir, else <data_dir>/backups)." };
        var command = new Command("create", "Write an archive of the database (online copy), keys, CA, config, identity file and policy.") { outDir };
        command.SetAction(parse => Run(() =>
        {
            var sources = Sources(parse, parse.GetValue(outDir));
            string archive;
            try
            {
                archive = BackupWriter.Create(sources, DateTimeOffset.UtcNow);
            }
            catch (BackupException e)
            {
                CliAudit.Record(CliContext.From(parse), "backup.create", sources.BackupDir, "failed: " + e.Message);
                throw;
            }

            CliAudit.Record(CliContext.From(parse), "backup.create", archive, "ok");
            Console.Out.WriteLine($"Backup written to {archive} ({new FileInfo(archive).Length.ToString("N0", CultureInfo.InvariantCulture)} bytes).");
            Console.Out.WriteLine($"Next: 'appliance backup verify {archive}' restores it into a scratch folder and checks it.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command ListVerb()
    {
        var command = new Command("list", "List the archives in the backup folder, oldest first.");
        command.SetAction(parse => Run(() =>
        {
            var sources = Sources(parse, null);
            var table = new TextTable("ARCHIVE", "TAKEN", "BYTES");
            foreach (var archive in BackupArchives.List(sources.BackupDir))
            {
                table.Add(archive, CliOutput.Time(BackupArchives.TakenAt(archive)), new FileInfo(archive).Length.ToString(CultureInfo.InvariantCulture));
            }

            table.Write(Console.Out);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command VerifyVerb()
    {
        var archiveArgument = new Argument<string?>("archive") { Description = "The archive (default: the newest in the backup folder).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("verify", "Restore an archive into a scratch folder, start a server on it on loopback and check it holds the backup's nodes, users and policy.") { archiveArgument };
        command.SetAction(parse => RunAsync(async () =>
        {
            var archive = parse.GetValue(archiveArgument) ?? BackupArchives.Newest(Sources(parse, null).BackupDir)
                ?? throw new BackupException("no archive in the backup folder; run 'appliance backup create' first");
            var differences = await BackupDrill.VerifyAsync(archive).ConfigureAwait(false);
            CliAudit.Record(CliContext.From(parse), "backup.verify", archive, differences.Count == 0 ? "ok" : "failed: " + string.Join("; ", differences));
            if (differences.Count > 0)
            {
                await Console.Error.WriteLineAsync($"Restore drill of {archive} FAILED:").ConfigureAwait(false);
                foreach (var difference in differences)
                {
                    await Console.Error.WriteLineAsync("  " + difference).ConfigureAwait(false);
                }

                return ExitCodes.Failure;
            }

            await Console.Out.WriteLineAsync($"Restore drill of {archive} passed: a server started on the restored copy holds the same nodes, users and policy.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command RestoreVerb()
    {
        var archiveArgument = new Argument<string>("archive") { Description = "The archive to restore." };
        var command = new Command("restore", "Replace a stopped appliance's data folder with an archive's (the current one is moved aside, not deleted).") { archiveArgument };
        command.SetAction(parse => Run(() =>
        {
            var context = CliContext.From(parse);
            var archive = parse.GetValue(archiveArgument)!;
            // The restored folder replaces the data folder: it gets the old folder's owner (root restoring the service's folder).
            var owner = Directory.Exists(context.DataDirectory) ? OwnershipRestorer.Owner(context.DataDirectory) : null;
            BackupRestore.Result result;
            try
            {
                result = BackupRestore.Restore(archive, context.DataDirectory, DateTimeOffset.UtcNow);
            }
            catch (BackupException e) when (!e.ApplianceRunning)
            {
                CliAudit.Record(context, "backup.restore", archive, "failed: " + e.Message);
                throw;
            }

            OwnershipRestorer.GiveTo(context.DataDirectory, owner);
            CliAudit.Record(context, "backup.restore", archive, "ok");
            Console.Out.WriteLine($"Restored {result.Manifest.Tailnet.Nodes.Count} node(s) and {result.Manifest.Tailnet.Users.Count} user(s) from the backup of {CliOutput.Time(result.Manifest.CreatedAt)} into {context.DataDirectory}.");
            Console.Out.WriteLine($"The previous data folder's contents are in {result.PreviousData}.");
            if (result.RestoredConfig is { } config)
            {
                Console.Out.WriteLine($"The backed-up config file is in {config}: compare it with the one in use before starting.");
            }

            Console.Out.WriteLine("Next: start the appliance (systemctl start appliance).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static BackupSources Sources(ParseResult parse, string? backupDir)
    {
        var context = CliContext.From(parse);
        var options = context.Config.Options;
        options.Server.DataDir = context.DataDirectory;
        return new BackupSources(options, context.Config.SourceFile, backupDir);
    }

    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (BackupException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return exception.ApplianceRunning ? ExitCodes.InUse : ExitCodes.Failure;
        }
    }

    private static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (BackupException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
