using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Hosting.Audit;
using Appliance.Hosting.Configuration;
using Appliance.Storage.Audit;

namespace Appliance.Cli;

/// <summary>
/// <c>appliance audit verify|export</c> (docs/ops/audit.md). Both only read: the audit folder and, for the
/// rotation anchors, the configured database (SQLite or PostgreSQL) read-only, so they run beside a running service.
/// verify: exit 0 when the chain is intact, 1 when anything is wrong (each finding on stderr as FILE:LINE: what),
/// 66 when the data folder has neither an audit log nor a database, 69 when PostgreSQL cannot be read.
/// </summary>
public static class AuditCommands
{
    public static Command Create()
    {
        var command = new Command("audit", "Check and export the tamper-evident audit log.");
        CliContext.AddOptions(command);
        command.Subcommands.Add(VerifyVerb());
        command.Subcommands.Add(ExportVerb());
        return command;
    }

    private static Command VerifyVerb()
    {
        var command = new Command("verify", "Check every line's hash, sequence and link to the line before, and each rotated file against its anchor in the database.").WithOutputOption();
        command.SetAction(parse =>
        {
            var context = CliContext.From(parse);
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var folder = AuditLogFiles.FolderOf(context.DataDirectory);
            var databaseOptions = context.Config.Options.Database;
            if (!Directory.Exists(folder) && !AuditAnchorSource.HasDatabase(context.DataDirectory, databaseOptions))
            {
                error.WriteLine($"error: no audit log and no database in {context.DataDirectory}; pass --data-dir or -c with the appliance's config");
                return ExitCodes.NoData;
            }

            // From the configured database (SQLite file or PostgreSQL), read-only; unreadable anchors are not "intact".
            if (AuditAnchorSource.TryRead(context.DataDirectory, databaseOptions, out var unreadable) is not { } anchors)
            {
                error.WriteLine($"error: {unreadable}; the chain was not verified against its anchors");
                return ExitCodes.Unavailable;
            }

            var result = AuditVerifier.Verify(folder, anchors);
            var format = CliOutput.FormatOf(parse);
            var dto = new AuditVerifyDto(result.Intact, result.Records, result.Files, anchors.Count, result.LastSeq, result.LastHash,
                result.Problems.Select(p => p.ToString()).ToList());
            if (!result.Intact)
            {
                foreach (var problem in dto.Problems)
                {
                    error.WriteLine(problem);
                }

                error.WriteLine($"audit log NOT intact: {result.Problems.Count} problem(s) in {result.Files} file(s), {result.Records} record(s) read.");
                // The verdict is also on stdout in a machine format, so a script reads it without parsing stderr.
                CliOutput.Write(output, format, dto, AuditJsonContext.Default.AuditVerifyDto, _ => { });
                return ExitCodes.Failure;
            }

            CliOutput.Write(output, format, dto, AuditJsonContext.Default.AuditVerifyDto, o => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audit log intact: {result.Records} record(s) in {result.Files} file(s), {anchors.Count} rotation anchor(s) match; last sequence {result.LastSeq}, last hash {result.LastHash}.")));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ExportVerb()
    {
        var since = new Option<string?>("--since") { Description = "Oldest record to include: a UTC time (2026-12-01T00:00:00Z) or a duration back from now (24h, 7d)." };
        var until = new Option<string?>("--until") { Description = "Records before this time: a UTC time or a duration back from now." };
        var format = new Option<string>("--output", "-o") { Description = "json-line (default: the log's own lines, hashes included) or json (one array).", DefaultValueFactory = _ => "json-line" };
        format.AcceptOnlyFromAmong("json-line", "json");
        var command = new Command("export", "Print audit records in a time range for a SIEM, oldest first.") { since, until, format };
        command.SetAction(parse =>
        {
            var context = CliContext.From(parse);
            var error = parse.InvocationConfiguration.Error;
            var now = DateTimeOffset.UtcNow;
            if (!TryTime(parse.GetValue(since), now, out var from) || !TryTime(parse.GetValue(until), now, out var to))
            {
                error.WriteLine("error: --since and --until take a UTC time such as 2026-12-01T00:00:00Z or a duration such as 24h or 7d");
                return ExitCodes.Usage;
            }

            var folder = AuditLogFiles.FolderOf(context.DataDirectory);
            if (!Directory.Exists(folder))
            {
                error.WriteLine($"error: no audit log in {context.DataDirectory}; pass --data-dir or -c with the appliance's config");
                return ExitCodes.NoData;
            }

            var output = parse.InvocationConfiguration.Output;
            var json = parse.GetValue(format) == "json";
            var first = true;
            if (json)
            {
                output.Write('[');
            }

            foreach (var (_, line) in AuditLogReader.Read(folder, from, to))
            {
                if (json)
                {
                    output.Write(first ? "\n  " : ",\n  ");
                    output.Write(line);
                }
                else
                {
                    output.WriteLine(line);
                }

                first = false;
            }

            if (json)
            {
                output.WriteLine(first ? "]" : "\n]");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static bool TryTime(string? text, DateTimeOffset now, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (Duration.TryParse(text, out var ago))
        {
            value = now - ago;
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            value = at;
            return true;
        }

        return false;
    }
}

/// <summary>`appliance audit verify -o json`: the verdict, what was read, and each problem as stderr lists it.</summary>
public sealed record AuditVerifyDto(bool Intact, long Records, int Files, int Anchors, long LastSeq, string LastHash, IReadOnlyList<string> Problems);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(AuditVerifyDto))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
