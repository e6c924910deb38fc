using Appliance.Hosting.AdminConsole.Policy;
using Appliance.Hosting.Policy;
using Appliance.State.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// The policy editor: the live text in a textarea; Check runs the server's own check (parse, validate against the
/// live tailnet, run the policy's tests) and shows each error as LINE:COLUMN with the diff against the live
/// version; Save does the same check, records a version and applies it. History lists every stored version, each
/// with its diff against the live one and a rollback (which saves that text again as the newest version).
/// </summary>
internal static class PolicyPage
{
    public const string Path = "/admin/policy";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context)
    {
        var live = Live(context);
        return Task.FromResult(Editor(user, context, StatusCodes.Status200OK, live.Text, null, null, user.Session.TakeFlash()));
    }

    /// <param name="errors">LINE:COLUMN: reason lines from the check, or null.</param>
    /// <param name="verdict">What the check found, shown above the diff.</param>
    public static IResult Editor(ConsoleUser user, HttpContext context, int status, string text, string? errors, string? verdict, string? flash = null)
    {
        var live = Live(context);
        var canChange = user.CanChange(ConsoleArea.Policy);
        var fromFile = live.Source.StartsWith("file:", StringComparison.Ordinal);
        var diff = LineDiff.Compute(live.Text, text);
        var errorList = errors is null ? "" : $"""
            <div class="error" role="alert" id="error"><p>The policy was not accepted:</p>
            <ul id="policy-errors">{string.Concat(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"<li>{E(l)}</li>"))}</ul></div>
            """;
        var body = $"""
            <p id="policy-source">Live policy: {(live.Version is { } v ? $"version {v}, " : "")}from <code>{E(live.Source)}</code>{(live.Sha256.Length > 0 ? $", SHA-256 <code>{E(live.Sha256[..12])}</code>" : "")}.
            <a href="{Path}/history">History</a></p>
            {(fromFile ? "<p class=\"muted\">The policy comes from <code>policy.file</code>: edit that file on the appliance; this page can check a text but not save it.</p>" : "")}
            {errorList}
            {(verdict is null ? "" : $"<p class=\"ok\" role=\"status\" id=\"verdict\">{E(verdict)}</p>")}
            <form method="post" action="{Path}">{CsrfField(user)}
            <label for="policy">Policy (HuJSON)</label>
            <textarea id="policy" name="policy" rows="28" spellcheck="false"{(errors is null ? "" : " aria-describedby=\"error\"")}>{E(text)}</textarea>
            <div class="actions">
            <button type="submit" formaction="{Path}/check" class="secondary">Check</button>
            {(canChange && !fromFile ? "<button type=\"submit\">Save and apply</button>" : "")}
            </div>
            </form>
            <h2>Changes against the live policy</h2>
            {Diff(diff)}
            """;
        return ConsoleResults.Html(context, status, Page(user, Path, "Policy", body, flash));
    }

    public static Task<IResult> History(ConsoleUser user, HttpContext context)
    {
        var versions = context.RequestServices.GetRequiredService<PolicyVersions>().List();
        var live = Live(context);
        var rows = versions.Reverse().Select(v => $"""
            <tr><td><a href="{Path}/versions/{v.Id}">{v.Id}</a>{(v.Id == live.Version ? " <strong>(live)</strong>" : "")}</td><td>{Time(v.CreatedAt)}</td>
            <td><code>{E(v.Source)}</code></td><td><code>{E(v.Sha256[..12])}</code></td></tr>
            """);
        var body = versions.Count == 0
            ? "<p id=\"none\">No policy version is stored: every node may reach every other (allow-all) until one is saved.</p>"
            : $"""
            <table id="versions">
            <caption class="vh">Policy versions, newest first</caption>
            <thead><tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">From</th><th scope="col">SHA-256</th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            """;
        return Task.FromResult(ConsoleResults.Html(context, StatusCodes.Status200OK, Page(user, Path, "Policy history", body)));
    }

    public static Task<IResult> Version(ConsoleUser user, HttpContext context)
    {
        var id = long.Parse(context.Request.RouteValues["id"]!.ToString()!, System.Globalization.CultureInfo.InvariantCulture);
        var version = context.RequestServices.GetRequiredService<PolicyVersions>().List().FirstOrDefault(v => v.Id == id);
        if (version is null)
        {
            return Task.FromResult(ConsoleResults.Html(context, StatusCodes.Status404NotFound,
                Page(user, Path, "Policy version", $"<p><a href=\"{Path}/history\">History</a></p>", error: $"There is no policy version {id}.")));
        }

        var live = Live(context);
        var canRollBack = user.CanChange(ConsoleArea.Policy) && version.Id != live.Version && !live.Source.StartsWith("file:", StringComparison.Ordinal);
        var body = $"""
            <p>Saved {Time(version.CreatedAt)} from <code>{E(version.Source)}</code>. <a href="{Path}/history">History</a></p>
            {(canRollBack ? Button(user, $"{Path}/versions/{version.Id}/rollback", $"Roll back to version {version.Id}") : "")}
            <h2>Changes from the live policy to this version</h2>
            {Diff(LineDiff.Compute(live.Text, version.Text))}
            <h2>Text</h2>
            <pre id="version-text">{E(version.Text)}</pre>
            """;
        return Task.FromResult(ConsoleResults.Html(context, StatusCodes.Status200OK, Page(user, Path, $"Policy version {version.Id}", body)));
    }

    internal static LivePolicy Live(HttpContext context)
    {
        var current = context.RequestServices.GetRequiredService<IPolicyAdministration>().Current();
        return current.IsOk
            ? new LivePolicy(current.Value.Text, current.Value.Version, current.Value.Source, current.Value.Sha256)
            : new LivePolicy("", null, "none (allow-all)", "");
    }

    private static string Diff(IReadOnlyList<DiffLine> diff) => LineDiff.Same(diff)
        ? "<p id=\"diff\" class=\"muted\">No changes.</p>"
        : $"<pre class=\"diff\" id=\"diff\">{string.Concat(diff.Select(l => l.Kind switch
        {
            '+' => $"<span class=\"add\">+ {E(l.Text)}</span>",
            '-' => $"<span class=\"del\">- {E(l.Text)}</span>",
            _ => $"<span>  {E(l.Text)}</span>",
        }))}</pre>";

    internal sealed record LivePolicy(string Text, long? Version, string Source, string Sha256);
}
