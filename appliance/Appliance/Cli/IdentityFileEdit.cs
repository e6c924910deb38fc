using System.CommandLine;
using System.Text.Json.Serialization;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Startup;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Files;

namespace Appliance.Cli;

/// <summary>What `appliance users passwd|totp enroll|disable|enable` print (no secrets but the enrolment URI).</summary>
public sealed record PersonChangeDto(
    string Login,
    string Role,
    bool Disabled,
    bool HasPassword,
    bool HasTotp,
    string File,
    string Applied,
    string? OtpAuthUri = null);

// camelCase like every verb's JSON (docs/cli.md, "Output contract").
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(PersonChangeDto))]
public sealed partial class IdentityCliJsonContext : JsonSerializerContext;

/// <summary>
/// One edit of one person in the identity file (identity.file from the configuration): validated, written atomically
/// with a backup (<see cref="IdentityFileWriter"/>), then the database kept in step. With the service running the
/// service applies the file itself (identity.reload watches it; SIGHUP otherwise); with it stopped the CLI applies
/// the people to the database here, holding the data-folder lock as every direct-mode verb does.
/// </summary>
public static class IdentityFileEdit
{
    public static async Task<int> RunAsync(
        ParseResult parse, string login, Func<Person, Person> change, Func<Person, string?>? uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(change);
        var output = new VerbOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, CliOutput.FormatOf(parse));
        var context = CliContext.From(parse);
        if (!context.Config.IsValid)
        {
            return CliConfig.ReportProblems(context.Config, output.Error);
        }

        var options = context.Config.Options.Identity;
        var path = Path.GetFullPath(options.File);
        IdentityDocument written;
        try
        {
            written = IdentityFileWriter.Edit(path, login, change);
        }
        catch (IdentityFileException e)
        {
            await output.Error.WriteLineAsync($"error: {path}:{e.Message}; nothing was changed").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is KeyNotFoundException or FileNotFoundException or DirectoryNotFoundException)
        {
            await output.Error.WriteLineAsync("error: " + (e is KeyNotFoundException ? e.Message : $"there is no identity file at {path} (identity.file)")).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await output.Error.WriteLineAsync($"error: {path} could not be written ({e.Message}); the previous file is unchanged").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        string applied;
        try
        {
            applied = await ApplyAsync(context, written, options.Reload, options.ExpireNodesOnRemoval, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DataDirectoryException or DatabaseRefusedException or InvalidOperationException)
        {
            // InvalidOperationException: the database refused the people (ApplyPeople, one transaction: none applied).
            await output.Error.WriteLineAsync($"error: {path} was written, but the database could not be brought in step: {e.Message}; "
                + "the service applies the file when it starts").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var result = written.Find(login)!;
        var dto = new PersonChangeDto(result.Login, result.Role, result.Disabled, result.PasswordHash is not null, result.TotpSecret is not null,
            path, applied, uri?.Invoke(result));
        CliOutput.Write(output.Out, output.Format, dto, IdentityCliJsonContext.Default.PersonChangeDto, Table);
        return ExitCodes.Ok;
    }

    private static TextTable Table(PersonChangeDto p) =>
        new TextTable("LOGIN", "ROLE", "DISABLED", "PASSWORD", "TOTP", "APPLIED")
            .Add(p.Login, p.Role, CliOutput.YesNo(p.Disabled), CliOutput.YesNo(p.HasPassword), CliOutput.YesNo(p.HasTotp), p.Applied);

    private static async Task<string> ApplyAsync(CliContext context, IdentityDocument document, bool reload, bool expireNodes, CancellationToken cancellationToken)
    {
        if (await AdminClient.IsListeningAsync(context.AdminSocketPath, cancellationToken).ConfigureAwait(false))
        {
            return reload
                ? "by the running service (it reloads the file on change)"
                : "not yet: identity.reload is off, so run `systemctl reload appliance` (SIGHUP)";
        }

        using var directory = DataDirectory.Open(context.DataDirectory);
        using var database = DatabaseOpening.Open(directory, context.Config.Options.Database, TimeProvider.System);
        // The same command path as the service: an in-process coordinator over the database (no heartbeat).
        using var coordinator = DirectCoordinator.Open(database, TimeProvider.System);
        var identity = new IdentityService(database, TimeProvider.System, coordinator);
        var result = identity.ApplyPeople([.. document.People.Select(p => p.ToEntry())]);
        if (expireNodes && result.NewlyDisabled.Count > 0)
        {
            // As the service does (CoordinatorIdentityStateWriter): people who lost their login lose their nodes' keys too.
            var nodes = new NodeService(coordinator, new SqliteUserDirectory(database), UnknownNodePresence.Instance);
            foreach (var user in result.NewlyDisabled)
            {
                foreach (var node in nodes.List(user.Name).Value ?? [])
                {
                    nodes.Expire(node.Node.Id);
                }
            }
        }

        return "to the database (" + result + ")";
    }
}
