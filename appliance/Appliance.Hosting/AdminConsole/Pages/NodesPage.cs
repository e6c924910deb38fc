using Appliance.Hosting.Admin;
using Appliance.State.Coordinator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// Nodes: search, online state, last seen, endpoints, addresses, tags, expiry (live on request: <see cref="LiveSeconds"/>); rename, tag, expire and delete (after a
/// confirmation page) for roles that may change nodes. Reads through the admin API (the same answers as the CLI).
/// </summary>
internal static class NodesPage
{
    public const string Path = "/admin/nodes";
    public const int DefaultLiveSeconds = 15;
    private const int MinLiveSeconds = 5;

    public static Task<IResult> Show(ConsoleUser user, HttpContext context) => Render(user, context, StatusCodes.Status200OK, null);

    public static async Task<IResult> Render(ConsoleUser user, HttpContext context, int status, string? error)
    {
        var api = context.RequestServices.GetRequiredService<IAdminApi>();
        var listed = await api.ListNodesAsync(null, context.RequestAborted).ConfigureAwait(false);
        var query = context.Request.Query["q"].ToString();
        query = query.Length > 200 ? query[..200] : query.Trim();
        var nodes = (listed.Value ?? []).Where(n => Matches(n, query)).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var canChange = user.CanChange(ConsoleArea.Nodes);
        var snapshot = context.RequestServices.GetRequiredService<ControlCoordinator>().Snapshot;
        var live = LiveSeconds(context);
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var self = Path + (query.Length == 0 ? "?" : $"?q={Uri.EscapeDataString(query)}&");
        var body = $"""
            <p id="live" class="muted">State as of {Time(now, seconds: true)}.
            {(live is null
                ? $"<a href=\"{E(self)}live={DefaultLiveSeconds}\">Refresh every {DefaultLiveSeconds} seconds</a>"
                : $"Refreshing every {live} seconds (this page reloads itself). <a href=\"{E(self.TrimEnd('?', '&'))}\">Stop refreshing</a>")}</p>
            <form method="get" action="{Path}" role="search">
            <label for="q">Search nodes</label>
            <input id="q" name="q" type="search" value="{E(query)}" maxlength="200">
            <button type="submit">Search</button>
            </form>
            <p class="muted" id="count">{nodes.Count} of {listed.Value?.Count ?? 0} nodes</p>
            <table id="nodes">
            <caption class="vh">Nodes</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Owner</th><th scope="col">Addresses</th><th scope="col">Tags</th><th scope="col">State</th><th scope="col">Last seen</th><th scope="col">Endpoints</th><th scope="col">Key expiry</th>{(canChange ? "<th scope=\"col\">Actions</th>" : "")}</tr></thead>
            <tbody>
            {string.Concat(nodes.Select(n => Row(user, n, canChange, snapshot.Find(n.Id)?.Wire.Endpoints ?? [])))}
            </tbody>
            </table>
            """;
        return ConsoleResults.Html(context, status, Page(user, Path, "Nodes", body, status == StatusCodes.Status200OK ? user.Session.TakeFlash() : null,
            error ?? (listed.IsOk ? null : listed.Error), refreshSeconds: status == StatusCodes.Status200OK ? live : null));
    }

    private static bool Matches(NodeDto node, string query) =>
        query.Length == 0
        || node.Name.Contains(query, StringComparison.OrdinalIgnoreCase)
        || node.Hostname.Contains(query, StringComparison.OrdinalIgnoreCase)
        || (node.User ?? "").Contains(query, StringComparison.OrdinalIgnoreCase)
        || node.IpAddresses.Any(a => a.Contains(query, StringComparison.Ordinal))
        || node.Tags.Any(t => t.Contains(query, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Live node state without JavaScript: the person opts in (<c>?live=N</c>) and the page reloads itself with
    /// <c>&lt;meta http-equiv="refresh"&gt;</c>, which the Content-Security-Policy does not govern. Off by default, with a
    /// link to stop, because a page that reloads on its own is a barrier for screen readers (WCAG 2.2.1).
    /// </summary>
    private static int? LiveSeconds(HttpContext context) =>
        int.TryParse(context.Request.Query["live"].ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s)
            ? Math.Clamp(s, MinLiveSeconds, 3600) : null;

    private static string Row(ConsoleUser user, NodeDto n, bool canChange, IReadOnlyList<string> endpoints)
    {
        var state = n.Online switch
        {
            true => "<span class=\"online\">online</span>",
            false => "<span class=\"offline\">offline</span>",
            null => "<span class=\"muted\">unknown</span>",
        };
        var expiry = n.Expired ? "<strong>expired</strong>" : n.Expiry is null ? "<span class=\"muted\">never</span>" : Time(n.Expiry);
        var actions = !canChange ? "" : $"""
            <td>
            <form class="inline" method="post" action="{Path}/{n.Id}/rename">{CsrfField(user)}<label class="vh" for="rename-{n.Id}">New name for {E(n.Name)}</label><input id="rename-{n.Id}" name="name" value="{E(n.Name)}" maxlength="63" size="14"><button type="submit">Rename</button></form>
            <form class="inline" method="post" action="{Path}/{n.Id}/tags">{CsrfField(user)}<label class="vh" for="tags-{n.Id}">Tags for {E(n.Name)}</label><input id="tags-{n.Id}" name="tags" value="{E(string.Join(", ", n.Tags))}" maxlength="1000" size="14" placeholder="tag:server"><button type="submit">Set tags</button></form>
            {Button(user, $"{Path}/{n.Id}/expire", "Expire", $"Expire {n.Name}")}
            <a class="button" href="{Path}/{n.Id}/delete" aria-label="Delete {E(n.Name)}">Delete…</a>
            </td>
            """;
        return $"""
            <tr data-node="{n.Id}"><td>{E(n.Name)}<br><span class="muted">{E(n.Hostname)}</span></td><td>{E(n.User ?? "(tagged)")}</td>
            <td>{string.Join("<br>", n.IpAddresses.Select(a => $"<code>{E(a)}</code>"))}</td><td>{string.Join("<br>", n.Tags.Select(E))}</td>
            <td>{state}</td><td>{Time(n.LastSeen)}</td><td class="endpoints">{(endpoints.Count == 0 ? "<span class=\"muted\">none</span>" : string.Join("<br>", endpoints.Select(e => $"<code>{E(e)}</code>")))}</td><td>{expiry}</td>{actions}</tr>
            """;
    }

    /// <summary>The confirmation page before a delete: the only form that posts <c>confirm=yes</c>.</summary>
    public static async Task<IResult> ConfirmDelete(ConsoleUser user, HttpContext context)
    {
        var id = long.Parse(context.Request.RouteValues["id"]!.ToString()!, System.Globalization.CultureInfo.InvariantCulture);
        var listed = await context.RequestServices.GetRequiredService<IAdminApi>().ListNodesAsync(null, context.RequestAborted).ConfigureAwait(false);
        if (listed.Value?.FirstOrDefault(n => n.Id == id) is not { } node)
        {
            return await Render(user, context, StatusCodes.Status404NotFound, $"Node {id} does not exist.").ConfigureAwait(false);
        }

        var body = $"""
            <p>Delete node <strong>{E(node.Name)}</strong> ({E(string.Join(", ", node.IpAddresses))}, owner {E(node.User ?? "(tagged)")})?
            It disappears from every peer at once and must log in again to come back.</p>
            <div class="actions">
            {Button(user, $"{Path}/{node.Id}/delete", "Delete " + node.Name, danger: true, hidden: "<input type=\"hidden\" name=\"confirm\" value=\"yes\">")}
            <a class="button" href="{Path}">Cancel</a>
            </div>
            """;
        return ConsoleResults.Html(context, StatusCodes.Status200OK, Page(user, Path, "Delete node " + node.Name, body));
    }
}
