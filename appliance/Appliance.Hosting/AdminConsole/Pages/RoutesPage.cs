using Appliance.Hosting.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// Subnet routes and exit nodes: what each node advertises against what an operator approved. A route is served
/// only while both advertised and approved (the policy's autoApprovers add more; the admin API reports those too).
/// </summary>
internal static class RoutesPage
{
    public const string Path = "/admin/routes";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context) => Render(user, context, StatusCodes.Status200OK, null);

    public static async Task<IResult> Render(ConsoleUser user, HttpContext context, int status, string? error)
    {
        var listed = await context.RequestServices.GetRequiredService<IAdminApi>().ListNodesAsync(null, context.RequestAborted).ConfigureAwait(false);
        var nodes = (listed.Value ?? []).Where(n => n.AdvertisedRoutes.Count > 0 || n.ApprovedRoutes.Count > 0)
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var canChange = user.CanChange(ConsoleArea.Routes);
        var body = nodes.Count == 0
            ? "<p id=\"none\">No node advertises a route. A router runs <code>tailscale up --advertise-routes=10.0.0.0/24</code> or <code>--advertise-exit-node</code>.</p>"
            : $"""
            <table id="routes">
            <caption class="vh">Routes per node</caption>
            <thead><tr><th scope="col">Node</th><th scope="col">Advertised</th><th scope="col">Approved</th>{(canChange ? "<th scope=\"col\">Approve</th>" : "")}</tr></thead>
            <tbody>{string.Concat(nodes.Select(n => Row(user, n, canChange)))}</tbody>
            </table>
            """;
        return ConsoleResults.Html(context, status, Page(user, Path, "Routes and exit nodes", body,
            status == StatusCodes.Status200OK ? user.Session.TakeFlash() : null, error ?? (listed.IsOk ? null : listed.Error)));
    }

    private static string Row(ConsoleUser user, NodeDto n, bool canChange)
    {
        var all = n.AdvertisedRoutes.Union(n.ApprovedRoutes).ToList();
        var boxes = string.Concat(all.Select((r, i) => $"""
            <input type="checkbox" id="route-{n.Id}-{i}" name="routes" value="{E(r)}"{(n.ApprovedRoutes.Contains(r) ? " checked" : "")}>
            <label for="route-{n.Id}-{i}">{E(Describe(r))}</label><br>
            """));
        var form = !canChange ? "" : $"""
            <td><form method="post" action="{Path}/{n.Id}">{CsrfField(user)}
            <fieldset><legend class="vh">Approved routes of {E(n.Name)}</legend>{boxes}</fieldset>
            <button type="submit" aria-label="Save approved routes of {E(n.Name)}">Save</button></form></td>
            """;
        return $"""
            <tr data-node="{n.Id}"><td>{E(n.Name)}</td><td>{string.Join("<br>", n.AdvertisedRoutes.Select(r => E(Describe(r))))}</td>
            <td>{string.Join("<br>", n.ApprovedRoutes.Select(r => E(Describe(r))))}</td>{form}</tr>
            """;
    }

    private static string Describe(string route) => route is "0.0.0.0/0" or "::/0" ? route + " (exit node)" : route;
}
