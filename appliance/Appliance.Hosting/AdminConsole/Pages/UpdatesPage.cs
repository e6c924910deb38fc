using Appliance.Hosting.AdminConsole.Actions;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Health;
using Appliance.Hosting.UpdateRequests;
using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Versioning;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// Offline updates: what runs (the release, the content, the pinned root metadata, an interrupted apply), the
/// history of imports and rollbacks, as `appliance update status|history` show them, and the state of an import asked
/// for from the console (waiting, being imported, the last result). For admins, a bundle uploaded from the browser
/// is checked with the import's own verification (<see cref="Updater.Check"/>) and either only checked or handed to
/// root's importer through the <see cref="UpdateInbox"/> (the service cannot restart itself under its hardened
/// unit; appliance-update.path and .service do the import, docs/console.md).
/// </summary>
internal static class UpdatesPage
{
    public const string Path = "/admin/updates";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context) => Task.FromResult(Render(user, context, StatusCodes.Status200OK, null, null));

    /// <param name="checkedBundle">What the last upload was found to be (its manifest), shown above the status.</param>
    public static IResult Render(ConsoleUser user, HttpContext context, int status, string? error, BundleManifest? checkedBundle, string? flash = null)
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
            (signatures against the pinned root metadata, hashes, versions). Nothing was changed. To apply it, upload it again
            with <strong>Upload and import</strong>, or run <code>sudo appliance update import BUNDLE</code> on the appliance.</p>
            </section>
            """;
        var inbox = Inbox(context).Read();
        var upload = !user.CanChange(ConsoleArea.Updates) ? "" : $"""
            <h2>Import or check a bundle</h2>
            <form method="post" action="{Path}/import" enctype="multipart/form-data" id="import-bundle">{CsrfField(user)}
            <p><label for="bundle">Bundle file</label> <input id="bundle" name="bundle" type="file" required aria-describedby="bundle-help">
            <span id="bundle-help" class="muted">a signed .aupd file, at most {UpdateActions.MaxBundleBytes / (1024 * 1024)} MiB.
            <strong>Upload and import</strong> verifies it here, then the appliance verifies it again, switches to it and restarts
            (the console is away for a few seconds). <strong>Upload and verify</strong> only checks it.</span></p>
            {(RootImporterInstalled ? "" : "<p class=\"muted\" id=\"no-importer\">This appliance was not installed with <code>appliance install</code> (no appliance-update.path): imports from the browser need the installed service. An uploaded bundle waits until <code>sudo appliance update import --from-inbox</code> runs on the appliance.</p>")}
            <div class="actions"><button type="submit">Upload and import</button>
            <button type="submit" class="secondary" formaction="{Path}/check">Upload and verify</button></div>
            </form>
            """;
        var rows = history.Reverse().Select(h => $"""
            <tr><td>{E(h.At)}</td><td>{E(h.Action)}</td><td>{E(h.Version ?? "")}</td><td>{E(h.From ?? "")}</td><td>{E(h.Outcome)}</td><td>{E(h.Detail)}</td></tr>
            """);
        var body = $"""
            {verdict}
            {InboxSection(inbox)}
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
        return ConsoleResults.Html(context, status, Page(user, Path, "Updates", body, flash: flash, error: error));
    }

    /// <summary>True on an installed appliance: `appliance install` wrote the path unit that imports what the console hands over.</summary>
    public static bool RootImporterInstalled => OperatingSystem.IsLinux() && File.Exists(UpdateInbox.PathUnit);

    /// <summary>The inbox under the data folder (docs/console.md, "Importing an update").</summary>
    public static UpdateInbox Inbox(HttpContext context) =>
        UpdateInbox.ForDataDirectory(context.RequestServices.GetRequiredService<AppliancePaths>().DataDir);

    /// <summary>An import asked for from the console: waiting, being imported, and how the last one ended.</summary>
    private static string InboxSection(UpdateInboxState inbox)
    {
        var importer = RootImporterInstalled
            ? "appliance-update.service imports it within seconds; reload this page to follow it."
            : "This appliance was not installed with <code>appliance install</code>, so nothing imports it by itself: imports from the browser need the installed service. On the appliance, run <code>sudo appliance update import --from-inbox</code>.";
        var waiting = inbox.Waiting is { } w
            ? $"<p id=\"import-waiting\" class=\"ok\" role=\"status\"><strong>Waiting to be imported:</strong> {E(w.File)} ({E(w.Bundle)}), asked for by {E(w.Person)} at {Time(w.RequestedAt)}. {importer}</p>"
            : "";
        var importing = inbox.Importing is { } i
            ? $"<p id=\"import-running\" class=\"ok\" role=\"status\"><strong>Being imported now:</strong> {E(i.File)} ({E(i.Bundle)}), asked for by {E(i.Person)}. The service restarts into it and is checked for health; if it is not healthy in time the appliance rolls back by itself.</p>"
            : "";
        var last = inbox.Last is { } r
            ? $"<p id=\"import-result\" class=\"{(r.Succeeded ? "ok" : "error")}\"><strong>Last import from the console:</strong> {E(r.File)}, asked for by {E(r.Person)}, {(r.Succeeded ? "applied" : "not applied")} at {Time(r.FinishedAt)}: {E(r.Message)}</p>"
            : "";
        var problem = inbox.Problem is { } p ? $"<p class=\"error\" role=\"alert\" id=\"inbox-error\">The import inbox could not be read: {E(p)}</p>" : "";
        return waiting + importing + last + problem;
    }

    /// <summary>The updates root as the CLI finds it (&lt;data&gt;/updates, releases in updates.releases_dir). Check never restarts or probes.</summary>
    public static Updater Open(HttpContext context)
    {
        var services = context.RequestServices;
        var paths = services.GetRequiredService<AppliancePaths>();
        var options = services.GetRequiredService<ApplianceOptions>();
        var port = ListenAddress.TryParse(options.Server.Listen, out var endPoint) ? endPoint!.Port : 8080;
        var time = services.GetRequiredService<TimeProvider>();
        var updatesRoot = System.IO.Path.Combine(paths.DataDir, "updates");
        return new Updater(
            new UpdatePaths(updatesRoot, paths.ReleasesDir, InstalledTrustRoot.For(updatesRoot)),
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
