using Appliance.Hosting.AdminConsole.Pages;
using Microsoft.AspNetCore.Http;

namespace Appliance.Hosting.AdminConsole.Actions;

/// <summary>
/// A bundle uploaded from the operator's browser (multipart, at most <see cref="MaxBundleBytes"/>): written to a
/// private temporary file, verified exactly as `appliance update import` verifies before its first write, and
/// deleted. A refused bundle is answered with the verifier's reason (422); either way nothing changes.
/// </summary>
internal static class UpdateActions
{
    public const long MaxBundleBytes = 512L * 1024 * 1024;

    public static async Task<ChangeOutcome> Check(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        if (form.Files.GetFile("bundle") is not { Length: > 0 } file)
        {
            return new ChangeOutcome("-", "invalid: no bundle file",
                UpdatesPage.Render(user, context, StatusCodes.Status400BadRequest, "Choose a bundle file to upload. Nothing was changed.", null));
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

            var refused = UpdatesPage.Open(context).Check(temp, out var manifest);
            if (refused is not null)
            {
                return new ChangeOutcome(name, "invalid: " + refused.Message,
                    UpdatesPage.Render(user, context, StatusCodes.Status422UnprocessableEntity, $"The bundle {name} was refused: {refused.Message}. Nothing was changed.", null));
            }

            return new ChangeOutcome($"{name} ({manifest!.Kind} {manifest.Version})", "ok",
                UpdatesPage.Render(user, context, StatusCodes.Status200OK, null, manifest));
        }
        catch (IOException e)
        {
            return new ChangeOutcome(name, "failed: " + e.Message,
                UpdatesPage.Render(user, context, StatusCodes.Status503ServiceUnavailable, $"The upload could not be stored for the check ({e.Message}). Nothing was changed.", null));
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
