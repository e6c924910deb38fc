using System.CommandLine;
using Appliance.Hosting.Audit;
using Appliance.Hosting.UpdateRequests;
using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;

namespace Appliance.Cli;

/// <summary>
/// `appliance update import --from-inbox`: root's half of an import asked for in the admin console (docs/console.md,
/// "Importing an update"). appliance-update.service runs it when appliance-update.path sees a request in the
/// service's <see cref="UpdateInbox"/>. The service's own check is not trusted: the bundle is moved out of the
/// service's reach and imported like any `update import` (verified, staged, switched, restarted, health-checked or
/// rolled back). The outcome goes to the audit log with the console person as actor, and to result.json for the
/// console's updates page; the inbox is left empty whatever happened.
/// </summary>
internal static class UpdateInboxImport
{
    public static async Task<int> RunAsync(ParseResult parse, Updater updater, CancellationToken cancellationToken)
    {
        var context = CliContext.From(parse);
        var inbox = UpdateInbox.ForDataDirectory(context.DataDirectory);
        TakenRequest? taken;
        try
        {
            taken = inbox.Take(updater.Paths.Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"refused: the update inbox {inbox.Folder} could not be read: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (taken is null)
        {
            await parse.InvocationConfiguration.Output.WriteLineAsync($"no update request waits in {inbox.Folder}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        UpdateOutcome outcome;
        if (taken.BundlePath is not { } bundle)
        {
            outcome = new UpdateOutcome(UpdateResult.Refused, taken.Problem ?? "the request has no bundle", BundleError.Io);
        }
        else
        {
            try
            {
                outcome = await updater.ImportAsync(bundle, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(bundle);
            }
        }

        // The operators' command (and what root's units run) follows the new release before the console is told the
        // import finished: the result on the updates page means the whole import is done, copy of the release included
        // (the drill read `appliance --version` between the two once and found the old release).
        if (OperatingSystem.IsLinux())
        {
            InstallCommands.RefreshCommand(updater);
        }

        var request = taken.Request;
        var actor = request?.Person ?? AuditActor.LocalProcessUser;
        CliAudit.Record(context, actor, "update.import", request?.AuditTarget ?? $"{UpdateInbox.RequestFile} (console)", UpdateCommands.AuditResult(outcome));
        var result = new UpdateRequestResult(request?.Id ?? "-", actor, request?.File ?? "-", outcome.Succeeded, outcome.Message, DateTimeOffset.UtcNow);
        using (new OwnershipRestorer(inbox.Folder))
        {
            inbox.Finish(result);
        }

        return UpdateCommands.Report(parse, outcome);
    }
}
