using Appliance.Hosting.AdminConsole.Actions;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Health;
using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Versioning;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// Offline updates: what runs (the release, the content, the pinned root metadata, an interrupted apply) and the
/// history of imports and rollbacks, as `appliance update status|history` show them; for admins, a form that uploads
/// a bundle from the browser and checks it with the import's own verification (<see cref="Updater.Check"/>), changing
/// nothing. Applying it stays `appliance update import` on the appliance: the import restarts the service, which the
/// service cannot do to itself under its hardened unit (docs/console.md, "Not yet").
/// </summary>
internal static class UpdatesPage
{
    public const string Path = "/admin/updates";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context) => Task.FromResult(Render(user, context, StatusCodes.Status200OK, null, null));

    /// <param name="checkedBundle">What the last upload was found to be (its manifest), shown above the status.</param>
    public static IResult Render(ConsoleUser user, HttpContext context, int status, string? error, BundleManifest? checkedBundle)
    {
        var updater = Open(context);
        UpdateStatus? state = null;
        IReadOnlyList<HistoryEntry> history = [];
        string? problem = null;
        try
        {
            state = updater.Status();
            history = updater.History();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            problem = $"The updates folder could not be read: {e.Message}";
        }

        var verdict = checkedBundle is null ? "" : $"""
            <section aria-labelledby="checked-title" id="checked">
            <h2 id="checked-title">Bundle verified</h2>
            <p class="ok" role="status">The {E(checkedBundle.Kind.ToString().ToLowerInvariant())} bundle {E(checkedBundle.Version.ToString())} passed every check an import makes
            (signatures against the pinned root metadata, hashes, versions). Nothing was changed. Apply it on the appliance with
            <code>sudo appliance update import BUNDLE</code>.</p>
            </section>
            """;
        var upload = !user.CanChange(ConsoleArea.Updates) ? "" : $"""
            <h2>Check a bundle</h2>
            <form method="post" action="{Path}/check" enctype="multipart/form-data" id="check-bundle">{CsrfField(user)}
            <p><label for="bundle">Bundle file</label> <input id="bundle" name="bundle" type="file" required aria-describedby="bundle-help">
            <span id="bundle-help" class="muted">at most {UpdateActions.MaxBundleBytes / (1024 * 1024)} MiB</span></p>
            <button type="submit">Upload and verify</button>
            </form>
            """;
        var rows = history.Reverse().Select(h => $"""
            <tr><td>{E(h.At)}</td><td>{E(h.Action)}</td><td>{E(h.Version ?? "")}</td><td>{E(h.From ?? "")}</td><td>{E(h.Outcome)}</td><td>{E(h.Detail)}</td></tr>
            """);
        var body = $"""
            {verdict}
            {(problem is null ? "" : $"<div class=\"error\" role=\"alert\" id=\"updates-error\">{E(problem)}</div>")}
            <dl id="update-status">
            <dt>Running</dt><dd>{E(HealthEndpoints.RunningVersion)}{(state?.Current is { } current && current != HealthEndpoints.RunningVersion ? $" (updates folder: {E(current)})" : "")}</dd>
            <dt>Previous release</dt><dd>{E(state?.Previous ?? "none")}</dd>
            <dt>Content</dt><dd>{E(state?.Content ?? "none")}</dd>
            <dt>Root metadata</dt><dd>{(state?.RootVersion is { } root ? $"version {root}" : "<strong>not pinned</strong>: bundles cannot be verified")}</dd>
            <dt>Interrupted apply</dt><dd>{(state?.Pending is { } p ? $"<strong>{E($"{p.Kind} {p.Version} at step {p.Step}")}</strong>: run <code>appliance update recover</code>" : "none")}</dd>
            </dl>
            <h2>History</h2>
            <table id="update-history">
            <caption class="vh">Update history, newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Version</th><th scope="col">From</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            {upload}
            """;
        return ConsoleResults.Html(context, status, Page(user, Path, "Updates", body, error: error));
    }

    /// <summary>The updates root as the CLI finds it (&lt;data&gt;/updates, releases in updates.releases_dir). Check never restarts or probes.</summary>
    public static Updater Open(HttpContext context)
    {
        var services = context.RequestServices;
        var paths = services.GetRequiredService<AppliancePaths>();
        var options = services.GetRequiredService<ApplianceOptions>();
        var port = ListenAddress.TryParse(options.Server.Listen, out var endPoint) ? endPoint!.Port : 8080;
        var time = services.GetRequiredService<TimeProvider>();
        return new Updater(
            new UpdatePaths(System.IO.Path.Combine(paths.DataDir, "updates"), paths.ReleasesDir),
            new UpdaterOptions
            {
                KeepVersions = options.Updates.KeepVersions,
                InstalledVersion = ApplianceVersion.TryParseInformational(HealthEndpoints.RunningVersion, out var v) ? v : null,
            },
            new SystemdRestarter(),
            new HttpReadyProbe(port, time),
            time);
    }
}
