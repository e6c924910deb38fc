using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Hosting.Backup;
using Appliance.Hosting.Backup.Encryption;

namespace Appliance.Cli;

/// <summary>
/// <c>appliance backup create|list|verify|restore</c> (docs/ops/backups.md). The work is in Hosting/Backup; this file
/// maps options to it. Every verb takes `-o` (docs/cli.md). Exit codes: 0 done, 1 failed (the reason on stderr,
/// nothing overwritten), 75 restore refused because the appliance is running.
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
        command.Subcommands.Add(KeygenVerb());
        return command;
    }

    private static Command CreateVerb()
    {
        var outDir = new Option<string?>("--out") { Description = "Folder for the archive (default: backup.dir, else <data_dir>/backups)." };
        var command = new Command("create", "Write an archive of the database (online copy), keys, CA, config, identity file and policy.") { outDir }.WithOutputOption();
        command.SetAction(parse => Run(parse, () =>
        {
            var sources = Sources(parse, parse.GetValue(outDir));
            RefusePostgres(CliContext.From(parse).Config.Options, "create");
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
            var dto = Describe(archive);
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), dto, BackupJsonContext.Default.BackupArchiveDto, o =>
            {
                o.WriteLine($"Backup written to {archive} ({dto.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes).");
                o.WriteLine($"Next: 'appliance backup verify {archive}' restores it into a scratch folder and checks it.");
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command ListVerb()
    {
        var command = new Command("list", "List the archives in the backup folder, oldest first.").WithOutputOption();
        command.SetAction(parse => Run(parse, () =>
        {
            IReadOnlyList<BackupArchiveDto> archives = [.. BackupArchives.List(Sources(parse, null).BackupDir).Select(Describe)];
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), archives, BackupJsonContext.Default.IReadOnlyListBackupArchiveDto, list =>
            {
                var table = new TextTable("ARCHIVE", "TAKEN", "BYTES");
                foreach (var a in list)
                {
                    table.Add(a.Archive, CliOutput.Time(a.TakenAt), a.Bytes.ToString(CultureInfo.InvariantCulture));
                }

                return table;
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command VerifyVerb()
    {
        var archiveArgument = new Argument<string?>("archive") { Description = "The archive (default: the newest in the backup folder).", Arity = ArgumentArity.ZeroOrOne };
        var identityOption = IdentityOption("For an encrypted archive (.tar.age): the age identity file; without it only what needs no key is checked.");
        var command = new Command("verify", "Restore an archive into a scratch folder, start a server on it on loopback and check it holds the backup's nodes, users and policy.") { archiveArgument, identityOption }.WithOutputOption();
        command.SetAction(parse => RunAsync(parse, async () =>
        {
            var archive = parse.GetValue(archiveArgument) ?? BackupArchives.Newest(Sources(parse, null).BackupDir)
                ?? throw new BackupException("no archive in the backup folder; run 'appliance backup create' first");
            using var identity = ReadIdentity(parse.GetValue(identityOption));
            var keyless = identity is null && File.Exists(archive) && AgeFile.IsAgeFile(archive);
            var differences = keyless ? AgeFile.CheckWithoutKey(archive) : await BackupDrill.VerifyAsync(archive, identity).ConfigureAwait(false);
            CliAudit.Record(CliContext.From(parse), "backup.verify", archive, differences.Count > 0 ? "failed: " + string.Join("; ", differences)
                : keyless ? "ok: " + BackupScheduler.EncryptedDrillNote : "ok");
            var format = CliOutput.FormatOf(parse);
            var dto = new BackupVerifyDto(archive, differences.Count == 0, differences);
            if (format != OutputFormat.Table)
            {
                CliOutput.Write(parse.InvocationConfiguration.Output, format, dto, BackupJsonContext.Default.BackupVerifyDto, _ => { });
            }

            if (!dto.Passed)
            {
                var error = parse.InvocationConfiguration.Error;
                await error.WriteLineAsync($"Restore drill of {archive} FAILED:").ConfigureAwait(false);
                foreach (var difference in differences)
                {
                    await error.WriteLineAsync("  " + difference).ConfigureAwait(false);
                }

                return ExitCodes.Failure;
            }

            if (format == OutputFormat.Table)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(keyless
                    ? $"{archive} is encrypted; checked without the key: the age header, its recipient stanza and whole sealed chunks are in order. Pass --identity FILE to restore-drill it."
                    : $"Restore drill of {archive} passed: a server started on the restored copy holds the same nodes, users and policy.").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command RestoreVerb()
    {
        var archiveArgument = new Argument<string>("archive") { Description = "The archive to restore." };
        var identityOption = IdentityOption("For an encrypted archive (.tar.age): the age identity file (AGE-SECRET-KEY-1…) of backup.encrypt_to.");
        var command = new Command("restore", "Replace a stopped appliance's data folder with an archive's (the current one is moved aside, not deleted).") { archiveArgument, identityOption }.WithOutputOption();
        command.SetAction(parse => Run(parse, () =>
        {
            var context = CliContext.From(parse);
            var archive = parse.GetValue(archiveArgument)!;
            RefusePostgres(context.Config.Options, "restore");
            using var identity = ReadIdentity(parse.GetValue(identityOption));
            // The restored folder replaces the data folder: it gets the old folder's owner (root restoring the service's folder).
            var owner = Directory.Exists(context.DataDirectory) ? OwnershipRestorer.Owner(context.DataDirectory) : null;
            BackupRestore.Result result;
            try
            {
                result = BackupRestore.Restore(archive, context.DataDirectory, DateTimeOffset.UtcNow, identity: identity);
            }
            catch (BackupException e) when (!e.ApplianceRunning)
            {
                CliAudit.Record(context, "backup.restore", archive, "failed: " + e.Message);
                throw;
            }

            OwnershipRestorer.GiveTo(context.DataDirectory, owner);
            CliAudit.Record(context, "backup.restore", archive, "ok");
            var dto = new BackupRestoreDto(result.Manifest.Tailnet.Nodes.Count, result.Manifest.Tailnet.Users.Count, result.Manifest.CreatedAt,
                context.DataDirectory, result.PreviousData, result.RestoredConfig);
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), dto, BackupJsonContext.Default.BackupRestoreDto, o =>
            {
                o.WriteLine($"Restored {dto.Nodes} node(s) and {dto.Users} user(s) from the backup of {CliOutput.Time(dto.BackupCreatedAt)} into {dto.DataDirectory}.");
                o.WriteLine($"The previous data folder's contents are in {dto.PreviousData}.");
                if (dto.RestoredConfig is { } config)
                {
                    o.WriteLine($"The backed-up config file is in {config}: compare it with the one in use before starting.");
                }

                o.WriteLine("Next: start the appliance (systemctl start appliance).");
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command KeygenVerb()
    {
        var output = new Option<string>("--out") { Description = "Where to write the identity (private key), 0600; never overwritten.", Required = true };
        var command = new Command("keygen", "Make an age key pair for backup.encrypt_to: the identity goes to --out (keep it off the appliance), the recipient is printed.") { output }.WithOutputOption();
        command.SetAction(parse => Run(parse, () =>
        {
            var file = Path.GetFullPath(parse.GetRequiredValue(output));
            using var identity = AgeIdentity.Generate();
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var stream = new FileStream(file, options);
                stream.Write(System.Text.Encoding.ASCII.GetBytes(identity.Export()));
                stream.Flush(flushToDisk: true);
            }
            catch (IOException e) when (File.Exists(file))
            {
                throw new BackupException($"{file} exists; refusing to overwrite a key ({e.Message})", e);
            }

            var dto = new BackupKeygenDto(identity.Recipient.ToString(), file);
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), dto, BackupJsonContext.Default.BackupKeygenDto, o => o.WriteLine(dto.Recipient));
            parse.InvocationConfiguration.Error.WriteLine($"Identity written to {file}: move it off the appliance. Put the recipient (age1…) in backup.encrypt_to.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Option<string?> IdentityOption(string description) => new("--identity", "-i") { Description = description, HelpName = "FILE" };

    /// <summary>The age identity from a key file (age-keygen's or `backup keygen`'s), or null when none was given.</summary>
    private static AgeIdentity? ReadIdentity(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            return AgeIdentity.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new BackupException($"--identity {path}: {e.Message}", e);
        }
    }

    private static BackupArchiveDto Describe(string archive) => new(archive, BackupArchives.TakenAt(archive), new FileInfo(archive).Length);

    private static BackupSources Sources(ParseResult parse, string? backupDir)
    {
        var context = CliContext.From(parse);
        var options = context.Config.Options;
        options.Server.DataDir = context.DataDirectory;
        return new BackupSources(options, context.Config.SourceFile, backupDir);
    }

    /// <summary>
    /// The archive holds the SQLite file; with the tailnet in PostgreSQL there is nothing of it to archive or to
    /// restore into, so say that and what to use instead (docs/ops/postgresql.md "Backups"), instead of failing later
    /// with "no database".
    /// </summary>
    private static void RefusePostgres(Appliance.Hosting.Configuration.ApplianceOptions options, string verb)
    {
        if (options.Database.Type == Appliance.Hosting.Configuration.DatabaseType.Postgres)
        {
            throw new BackupException(
                $"appliance backup {verb}: the tailnet is in PostgreSQL (database.type: postgres), and appliance backups hold only the " +
                "SQLite database. Back the tailnet up with PostgreSQL's tools (pg_dump, or base backups with WAL archiving) and the data " +
                "folder (keys, CA) with your file backups; see docs/ops/postgresql.md, \"Backups\". Nothing was written.");
        }
    }

    private static int Run(ParseResult parse, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (BackupException exception)
        {
            parse.InvocationConfiguration.Error.WriteLine(exception.Message);
            return exception.ApplianceRunning ? ExitCodes.InUse : ExitCodes.Failure;
        }
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (BackupException exception)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}

/// <summary>`appliance backup create` and each entry of `backup list`: the archive, when it was taken, its size.</summary>
public sealed record BackupArchiveDto(string Archive, DateTimeOffset? TakenAt, long Bytes);

/// <summary>`appliance backup verify`: the restore drill's verdict and what differed.</summary>
public sealed record BackupVerifyDto(string Archive, bool Passed, IReadOnlyList<string> Differences);

/// <summary>`appliance backup restore`: what came back, where, and where the previous contents were moved.</summary>
public sealed record BackupRestoreDto(int Nodes, int Users, DateTimeOffset BackupCreatedAt, string DataDirectory, string PreviousData, string? RestoredConfig);

/// <summary>`appliance backup keygen`: the recipient for backup.encrypt_to and where the identity (private key) was written.</summary>
public sealed record BackupKeygenDto(string Recipient, string IdentityFile);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(BackupArchiveDto))]
[JsonSerializable(typeof(IReadOnlyList<BackupArchiveDto>))]
[JsonSerializable(typeof(BackupVerifyDto))]
[JsonSerializable(typeof(BackupRestoreDto))]
[JsonSerializable(typeof(BackupKeygenDto))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;
