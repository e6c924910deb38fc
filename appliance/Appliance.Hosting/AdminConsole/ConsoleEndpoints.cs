using Appliance.Hosting.AdminConsole.Actions;
using Appliance.Hosting.AdminConsole.Audit;
using Appliance.Hosting.AdminConsole.Html;
using Appliance.Hosting.AdminConsole.Pages;
using Appliance.Hosting.AdminConsole.Sessions;
using Appliance.State.Coordinator;
using Appliance.State.Policy;
using Appliance.Storage.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Appliance.Hosting.AdminConsole;

/// <summary>
/// The admin web console under <c>/admin</c> (issue 19; docs/console.md), on the HTTPS listener only. Server-rendered
/// HTML that works without JavaScript; every change is a POST carrying the session's CSRF token, checked against
/// the person's role (<see cref="ConsoleRoles"/>), run through the same admin API / State commands as the CLI, and
/// recorded through <see cref="IConsoleAuditHook"/> with the person's name.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>Every route that changes something, with the area a role must be allowed to change. Tests walk this list.</summary>
    public static readonly IReadOnlyList<ConsoleChangeRoute> ChangeRoutes =
    [
        new("/admin/nodes/{id:long}/rename", ConsoleArea.Nodes, "node.rename"),
        new("/admin/nodes/{id:long}/tags", ConsoleArea.Nodes, "node.tags"),
        new("/admin/nodes/{id:long}/expire", ConsoleArea.Nodes, "node.expire"),
        new("/admin/nodes/{id:long}/delete", ConsoleArea.Nodes, "node.delete"),
        new("/admin/logins/{id}/approve", ConsoleArea.Logins, "login.approve"),
        new("/admin/logins/{id}/reject", ConsoleArea.Logins, "login.reject"),
        new("/admin/keys", ConsoleArea.Keys, "preauthkey.create"),
        new("/admin/keys/{prefix}/expire", ConsoleArea.Keys, "preauthkey.expire"),
        new("/admin/routes/{id:long}", ConsoleArea.Routes, "routes.approve"),
        new("/admin/policy", ConsoleArea.Policy, "policy.set", PolicyActions.MaxPolicyFormBytes),
        new("/admin/policy/versions/{id:long}/rollback", ConsoleArea.Policy, "policy.rollback"),
        new("/admin/people", ConsoleArea.People, "person.create"),
        new("/admin/people/{login}/disable", ConsoleArea.People, "person.disable"),
        new("/admin/people/{login}/enable", ConsoleArea.People, "person.enable"),
        new("/admin/people/{login}/password", ConsoleArea.People, "person.password.reset"),
        new("/admin/people/{login}/totp", ConsoleArea.People, "person.totp.reset"),
        new("/admin/people/{login}/role", ConsoleArea.People, "person.role"),
        new("/admin/updates/check", ConsoleArea.Updates, "update.check", UpdateActions.MaxBundleBytes),
        new("/admin/updates/import", ConsoleArea.Updates, "update.request", UpdateActions.MaxBundleBytes),
    ];

    private static readonly Dictionary<string, ConsoleChangeHandler> Handlers = new(StringComparer.Ordinal)
    {
        ["node.rename"] = NodeActions.Rename,
        ["node.tags"] = NodeActions.Tags,
        ["node.expire"] = NodeActions.Expire,
        ["node.delete"] = NodeActions.Delete,
        ["login.approve"] = LoginActions.Approve,
        ["login.reject"] = LoginActions.Reject,
        ["preauthkey.create"] = KeyActions.Create,
        ["preauthkey.expire"] = KeyActions.Expire,
        ["routes.approve"] = RouteActions.Approve,
        ["policy.set"] = PolicyActions.Save,
        ["policy.rollback"] = PolicyActions.RollBack,
        ["person.create"] = PeopleActions.Create,
        ["person.disable"] = PeopleActions.Disable,
        ["person.enable"] = PeopleActions.Enable,
        ["person.password.reset"] = PeopleActions.ResetPassword,
        ["person.totp.reset"] = PeopleActions.ResetTotp,
        ["person.role"] = PeopleActions.SetRole,
        ["update.check"] = UpdateActions.Check,
        ["update.request"] = UpdateActions.Import,
    };

    /// <summary>Sessions, the audit hook (unless one is registered already) and State's policy history for the history page.</summary>
    public static IServiceCollection AddAdminConsole(this IServiceCollection services)
    {
        services.AddSingleton<ConsoleSessions>();
        services.TryAddSingleton<IConsoleAuditHook, LoggingConsoleAuditHook>();
        services.TryAddSingleton(sp => new PolicyVersions(
            sp.GetRequiredService<ApplianceDatabase>(), sp.GetRequiredService<ControlCoordinator>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    public static IEndpointRouteBuilder MapAdminConsole(this IEndpointRouteBuilder app)
    {
        Page(app, "/admin", Home);
        app.MapGet(ConsoleHtml.StylesheetPath, (RequestDelegate)Stylesheet);
        app.MapGet("/admin/login", (RequestDelegate)ConsoleLogin.Show);
        app.MapPost("/admin/login", (RequestDelegate)ConsoleLogin.Submit);
        app.MapPost("/admin/logout", (RequestDelegate)ConsoleLogin.Logout);

        Page(app, NodesPage.Path, NodesPage.Show);
        Page(app, "/admin/nodes/{id:long}/delete", NodesPage.ConfirmDelete);
        Page(app, LoginsPage.Path, LoginsPage.Show);
        Page(app, KeysPage.Path, KeysPage.Show);
        Page(app, RoutesPage.Path, RoutesPage.Show);
        Page(app, PolicyPage.Path, PolicyPage.Show);
        Page(app, "/admin/policy/history", PolicyPage.History);
        Page(app, "/admin/policy/versions/{id:long}", PolicyPage.Version);
        Page(app, PeoplePage.Path, PeoplePage.Show);
        Page(app, CaPage.Path, CaPage.Show);
        Page(app, "/admin/ca/trust.pem", CaPage.Download);
        Page(app, "/admin/ca/trust.cer", CaPage.Download);
        Page(app, HealthPage.Path, HealthPage.Show);
        Page(app, AuditPage.Path, AuditPage.Show);
        Page(app, AuditPage.Path + "/export", AuditPage.Export);
        Page(app, UpdatesPage.Path, UpdatesPage.Show);
        app.MapPost("/admin/policy/check", (RequestDelegate)(c => ConsoleRequests.ReadPost(c, PolicyActions.MaxPolicyFormBytes, PolicyActions.Check)));

        foreach (var route in ChangeRoutes)
        {
            var handler = Handlers[route.Action];
            app.MapPost(route.Pattern, (RequestDelegate)(c => ConsoleRequests.Change(c, route, handler)));
        }

        return app;
    }

    private static Task<IResult> Home(ConsoleUser user, HttpContext context) => Task.FromResult(ConsoleResults.Redirect(context, NodesPage.Path));

    private static void Page(IEndpointRouteBuilder app, string pattern, ConsolePageHandler handler) =>
        app.MapGet(pattern, (RequestDelegate)(c => ConsoleRequests.Page(c, handler)));

    private static Task Stylesheet(HttpContext context)
    {
        context.Response.ContentType = "text/css; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return context.Response.WriteAsync(ConsoleHtml.Stylesheet.Value, context.RequestAborted);
    }
}
