using System.Globalization;
using Appliance.Hosting.Configuration;
using Appliance.Storage.Audit;
using Appliance.Storage.Database;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// The audit log (docs/ops/audit.md), read-only for every console role: the chain's state as `appliance audit verify`
/// reports it (<see cref="AuditVerifier"/> over the files and the database's rotation anchors), and the records,
/// newest first, filtered by person, action, text and time (<see cref="AuditLogReader"/>, as `audit export` reads
/// them). At most <see cref="MaxShown"/> records are shown; <see cref="Export"/> downloads every matching one.
/// </summary>
internal static class AuditPage
{
    public const string Path = "/admin/audit";
    public const int MaxShown = 500;

    public static Task<IResult> Show(ConsoleUser user, HttpContext context)
    {
        var services = context.RequestServices;
        var folder = AuditLogFiles.FolderOf(services.GetRequiredService<AppliancePaths>().DataDir);
        var query = context.Request.Query;
        var actor = Bounded(query["actor"].ToString());
        var action = Bounded(query["action"].ToString());
        var text = Bounded(query["q"].ToString());
        var sinceText = Bounded(query["since"].ToString());
        DateTimeOffset? since = null;
        string? error = null;
        if (sinceText.Length > 0)
        {
            if (DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                since = at;
            }
            else
            {
                error = $"\"{sinceText}\" is not a time; write it as 2026-12-01 or 2026-12-01T08:00:00Z.";
            }
        }

        var verification = Verify(services, folder);
        var shown = new Queue<AuditRecord>();
        var matched = 0;
        if (Directory.Exists(folder))
        {
            foreach (var (record, _) in AuditLogReader.Read(folder, since, null, r => Matches(r, actor, action, text)))
            {
                matched++;
                shown.Enqueue(record);
                if (shown.Count > MaxShown)
                {
                    shown.Dequeue();
                }
            }
        }

        var rows = shown.Reverse().Select(r => $"""
            <tr><td>{r.Seq}</td><td>{Time(r.Time, seconds: true)}</td><td>{E(r.Actor)}</td><td><code>{E(r.Action)}</code></td><td>{E(r.Target)}</td>
            <td>{(r.Result.StartsWith("ok", StringComparison.Ordinal) ? E(r.Result) : $"<strong>{E(r.Result)}</strong>")}</td></tr>
            """);
        var body = $"""
            {Chain(verification)}
            <form method="get" action="{Path}" role="search" id="audit-filter">
            <label for="audit-actor">Person</label> <input id="audit-actor" name="actor" value="{E(actor)}" maxlength="200" placeholder="alice@site">
            <label for="audit-action">Action</label> <input id="audit-action" name="action" value="{E(action)}" maxlength="200" placeholder="console.person">
            <label for="audit-q">Text</label> <input id="audit-q" name="q" type="search" value="{E(text)}" maxlength="200">
            <label for="audit-since">Since (UTC)</label> <input id="audit-since" name="since" value="{E(sinceText)}" maxlength="40" placeholder="2026-12-01">
            <button type="submit">Filter</button>
            </form>
            <p class="muted" id="audit-count">{(matched > shown.Count ? $"The newest {shown.Count} of {matched} matching records" : $"{matched} matching records")}, newest first.
            <a id="audit-export" href="{E(ExportLink(actor, action, text, sinceText))}" download>Export every matching record</a> (JSON lines, as stored: <code>appliance audit verify</code> and <code>audit export</code> read the same).</p>
            <table id="audit">
            <caption class="vh">Audit records</caption>
            <thead><tr><th scope="col">Seq</th><th scope="col">Time</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Result</th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            """;
        return Task.FromResult(ConsoleResults.Html(context, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
            Page(user, Path, "Audit log", body, error: error)));
    }

    /// <summary>
    /// Every record that matches the page's filters (not only the newest <see cref="MaxShown"/>), oldest first, each
    /// line exactly as the log stores it (as `appliance audit export -o json-line` prints it), as a download.
    /// </summary>
    public static Task<IResult> Export(ConsoleUser user, HttpContext context)
    {
        _ = user;
        var folder = AuditLogFiles.FolderOf(context.RequestServices.GetRequiredService<AppliancePaths>().DataDir);
        var query = context.Request.Query;
        var actor = Bounded(query["actor"].ToString());
        var action = Bounded(query["action"].ToString());
        var text = Bounded(query["q"].ToString());
        var sinceText = Bounded(query["since"].ToString());
        DateTimeOffset? since = null;
        if (sinceText.Length > 0)
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                ConsoleResults.Secure(context);
                return Task.FromResult(Results.BadRequest($"\"{sinceText}\" is not a time; write it as 2026-12-01 or 2026-12-01T08:00:00Z."));
            }

            since = at;
        }

        ConsoleResults.Secure(context);
        return Task.FromResult(Results.Stream(async stream =>
        {
            if (!Directory.Exists(folder))
            {
                return;
            }

            var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var (_, line) in AuditLogReader.Read(folder, since, null, r => Matches(r, actor, action, text)))
                {
                    await writer.WriteAsync(line.AsMemory(), context.RequestAborted).ConfigureAwait(false);
                    await writer.WriteAsync('\n').ConfigureAwait(false);
                }
            }
        }, "application/x-ndjson; charset=utf-8", "appliance-audit.jsonl"));
    }

    private static string ExportLink(string actor, string action, string text, string since) =>
        QueryString.Create(new Dictionary<string, string?> { ["actor"] = actor, ["action"] = action, ["q"] = text, ["since"] = since }
            .Where(p => p.Value!.Length > 0)) is { HasValue: true } query ? Path + "/export" + query.Value : Path + "/export";

    /// <summary>`audit verify`'s check; anchors come from the live database (SQLite or PostgreSQL).</summary>
    private static AuditVerification? Verify(IServiceProvider services, string folder)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }

        var anchors = new AuditAnchorStore(services.GetRequiredService<ApplianceDatabase>()).List();
        return AuditVerifier.Verify(folder, anchors);
    }

    private static string Chain(AuditVerification? result) => result switch
    {
        null => "<p id=\"chain\" class=\"muted\">There is no audit log yet.</p>",
        { Intact: true } ok => $"<p id=\"chain\" class=\"ok\">Chain intact: {ok.Records} records in {ok.Files} files; last sequence {ok.LastSeq}, last hash <code>{E(ok.LastHash)}</code>.</p>",
        { } bad => $"""
            <div id="chain" class="error" role="alert"><p>The audit log is NOT intact: {bad.Problems.Count} problems in {bad.Files} files.</p>
            <ul>{string.Concat(bad.Problems.Take(20).Select(p => $"<li>{E(p.ToString())}</li>"))}</ul></div>
            """,
    };

    private static bool Matches(AuditRecord record, string actor, string action, string text) =>
        (actor.Length == 0 || record.Actor.Contains(actor, StringComparison.OrdinalIgnoreCase))
        && (action.Length == 0 || record.Action.StartsWith(action, StringComparison.OrdinalIgnoreCase))
        && (text.Length == 0 || record.Target.Contains(text, StringComparison.OrdinalIgnoreCase) || record.Result.Contains(text, StringComparison.OrdinalIgnoreCase));

    private static string Bounded(string value) => value.Length > 200 ? value[..200].Trim() : value.Trim();
}
