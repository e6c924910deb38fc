using Appliance.Hosting.AdminConsole.Pages;
using Appliance.Hosting.UpdateRequests;
using Appliance.Updates.Bundles;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.AdminConsole.Actions;

/// <summary>
/// A bundle uploaded from the operator's browser (multipart, at most <see cref="MaxBundleBytes"/>), verified exactly
/// as `appliance update import` verifies before its first write. <see cref="Check"/> then deletes it;
/// <see cref="Import"/> hands it to root through the <see cref="UpdateInbox"/> (the service cannot switch releases
/// or restart itself), where appliance-update.service verifies it again and imports it. A refused bundle is answered
/// with the verifier's reason (422) and nothing changes.
/// </summary>
internal static partial class UpdateActions
{
    public const long MaxBundleBytes = 512L * 1024 * 1024;

    public static async Task<ChangeOutcome> Check(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        if (form.Files.GetFile("bundle") is not { Length: > 0 } file)
        {
            return NoFile(user, context);
        }

        var name = Path.GetFileName(file.FileName);
        var temp = Path.Combine(Path.GetTempPath(), $"appliance-console-{Guid.NewGuid():N}.bundle");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                await file.CopyToAsync(stream, context.RequestAborted).ConfigureAwait(false);
            }

            if (Verify(user, context, temp, name, out var manifest) is { } refused)
            {
                return refused;
            }

            return new ChangeOutcome(Describe(name, manifest!), "ok",
                UpdatesPage.Render(user, context, StatusCodes.Status200OK, null, manifest));
        }
        catch (IOException e)
        {
            return NotStored(user, context, name, e);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Verifies the upload in the inbox and, when it passes, makes it the waiting request naming this person.</summary>
    public static async Task<ChangeOutcome> Import(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        if (form.Files.GetFile("bundle") is not { Length: > 0 } file)
        {
            return NoFile(user, context);
        }

        var name = Path.GetFileName(file.FileName);
        var inbox = UpdatesPage.Inbox(context);
        if (inbox.Busy)
        {
            var state = inbox.Read();
            return Busy(user, context, name, state.Waiting ?? state.Importing);
        }

        string? upload = null;
        try
        {
            using (var stream = inbox.CreateUpload(out upload))
            {
                await file.CopyToAsync(stream, context.RequestAborted).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            if (Verify(user, context, upload, name, out var manifest) is { } refused)
            {
                return refused;
            }

            var services = context.RequestServices;
            var request = new UpdateRequest(Guid.NewGuid().ToString("N"), name, user.Person.Login, user.Role, user.Address,
                $"{manifest!.Kind.ToString().ToLowerInvariant()} {manifest.Version}", services.GetRequiredService<TimeProvider>().GetUtcNow());
            inbox.Submit(upload, request);
            upload = null;
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UpdateActions).FullName!);
            LogRequested(logger, user.Person.Login, name, request.Bundle, inbox.Folder);
            if (!UpdatesPage.RootImporterInstalled)
            {
                LogNoImporter(logger, inbox.Folder);
            }

            return new ChangeOutcome(Describe(name, manifest), "ok",
                UpdatesPage.Render(user, context, StatusCodes.Status202Accepted, null, null,
                    flash: $"The {request.Bundle} bundle {name} passed every check and waits for the appliance to import it."));
        }
        catch (UpdateInboxBusyException e)
        {
            return Busy(user, context, name, e.Pending);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return NotStored(user, context, name, e);
        }
        finally
        {
            if (upload is not null)
            {
                File.Delete(upload);
            }
        }
    }

    /// <summary>The import's own verification; null when the bundle passed (with its manifest), else the 422 answer.</summary>
    private static ChangeOutcome? Verify(ConsoleUser user, HttpContext context, string path, string name, out BundleManifest? manifest)
    {
        var refused = UpdatesPage.Open(context).Check(path, out manifest);
        return refused is null
            ? null
            : new ChangeOutcome(name, "invalid: " + refused.Message,
                UpdatesPage.Render(user, context, StatusCodes.Status422UnprocessableEntity, $"The bundle {name} was refused: {refused.Message}. Nothing was changed.", null));
    }

    private static string Describe(string name, BundleManifest manifest) => $"{name} ({manifest.Kind} {manifest.Version})";

    private static ChangeOutcome NoFile(ConsoleUser user, HttpContext context) =>
        new("-", "invalid: no bundle file",
            UpdatesPage.Render(user, context, StatusCodes.Status400BadRequest, "Choose a bundle file to upload. Nothing was changed.", null));

    private static ChangeOutcome Busy(ConsoleUser user, HttpContext context, string name, UpdateRequest? pending) =>
        new(name, "conflict: another update request is pending",
            UpdatesPage.Render(user, context, StatusCodes.Status409Conflict,
                $"{(pending is null ? "Another bundle" : $"{pending.File} ({pending.Bundle}), asked for by {pending.Person},")} waits or is being imported; upload {name} when it is done. Nothing was changed.", null));

    private static ChangeOutcome NotStored(ConsoleUser user, HttpContext context, string name, Exception e) =>
        new(name, "failed: " + e.Message,
            UpdatesPage.Render(user, context, StatusCodes.Status503ServiceUnavailable, $"The upload could not be stored ({e.Message}). Nothing was changed.", null));

    [LoggerMessage(EventId = ConsoleEvents.UpdateRequestedId, EventName = "ConsoleUpdateRequested", Level = LogLevel.Information,
        Message = "Console: {Person} asked for {File} ({Bundle}) to be imported; it verified and waits in {Inbox} for appliance-update.service")]
    private static partial void LogRequested(ILogger logger, string person, string file, string bundle, string inbox);

    [LoggerMessage(EventId = ConsoleEvents.NoUpdateImporterId, EventName = "ConsoleNoUpdateImporter", Level = LogLevel.Warning,
        Message = "Console: no root-side importer watches {Inbox} (appliance-update.path is installed by `appliance install`); run `sudo appliance update import --from-inbox` to import the waiting bundle")]
    private static partial void LogNoImporter(ILogger logger, string inbox);
}
