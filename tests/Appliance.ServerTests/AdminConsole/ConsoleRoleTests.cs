using System.Globalization;
using System.Net;
using Appliance.Hosting.AdminConsole;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// Roles over HTTP: every change route of the console refuses the auditor (403, nothing changed, the refusal
/// recorded with their name); network-admins cannot touch keys, IT admins cannot touch nodes, routes or the policy;
/// billing-admins and members get no console at all.
/// </summary>
public sealed class ConsoleRoleTests
{
    [Fact]
    public async Task The_auditor_reads_every_page_and_every_change_route_refuses_them_with_403_changing_nothing()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        var (_, _, pendingId) = await tailnet.WaitingLoginAsync("visitor");
        using var auditor = await ConsoleClient.LoginAsync(tailnet.Appliance, "audrey@site");
        foreach (var page in new[] { "/admin/nodes", "/admin/logins", "/admin/keys", "/admin/routes", "/admin/policy", "/admin/policy/history", "/admin/people", "/admin/ca", "/admin/health", "/admin/audit", "/admin/updates" })
        {
            var (status, html) = await auditor.GetAsync(page);
            Assert.True(status == HttpStatusCode.OK, $"{page}: {status}");
            Assert.Contains("Audrey Auditor", html, StringComparison.Ordinal);
        }

        var before = await tailnet.StateAsync();
        foreach (var route in ConsoleEndpoints.ChangeRoutes)
        {
            var path = Concrete(route.Pattern, tailnet, pendingId);
            var (status, page, _) = await auditor.PostAsync(path, EveryField);
            Assert.True(status == HttpStatusCode.Forbidden, $"{path}: {status}");
            Assert.Contains("Your role (auditor) cannot change", page, StringComparison.Ordinal);
        }

        Assert.Equal(before, await tailnet.StateAsync());
        var refusals = tailnet.Audit.Where(e => e.Person == "audrey@site").ToList();
        Assert.Equal(ConsoleEndpoints.ChangeRoutes.Select(r => r.Action), refusals.Select(e => e.Action));
        Assert.All(refusals, e => Assert.Equal("forbidden", e.Outcome));
    }

    [Fact]
    public async Task Network_admins_cannot_change_keys_and_it_admins_cannot_change_nodes_routes_or_the_policy()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        var (_, _, pendingId) = await tailnet.WaitingLoginAsync("visitor");
        using var network = await ConsoleClient.LoginAsync(tailnet.Appliance, "nora@site");
        using var it = await ConsoleClient.LoginAsync(tailnet.Appliance, "ivan@site");
        var before = await tailnet.StateAsync();

        // What the brief says each role may change, written out here rather than read from ConsoleRoles.
        string[] people = ["person.create", "person.disable", "person.enable", "person.password.reset", "person.totp.reset", "person.role"];
        string[] networkRefused = ["preauthkey.create", "preauthkey.expire", "update.check", "update.request", .. people];
        string[] itRefused = ["node.rename", "node.tags", "node.expire", "node.delete", "routes.approve", "policy.set", "policy.rollback", "update.check", "update.request"];
        foreach (var route in ConsoleEndpoints.ChangeRoutes.Where(r => networkRefused.Contains(r.Action)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await network.PostAsync(Concrete(route.Pattern, tailnet, pendingId), EveryField)).Status);
        }

        foreach (var route in ConsoleEndpoints.ChangeRoutes.Where(r => itRefused.Contains(r.Action)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await it.PostAsync(Concrete(route.Pattern, tailnet, pendingId), EveryField)).Status);
        }

        Assert.Equal(before, await tailnet.StateAsync());

        // And what they may do, they can.
        var renamed = await network.PostAsync($"/admin/nodes/{tailnet.RouterId}/rename", ("name", "edge-router"));
        Assert.True(renamed.Status == HttpStatusCode.SeeOther, renamed.Page);
        var created = await it.PostAsync("/admin/keys", ("user", "alice@site"), ("expiration", "30m"));
        Assert.True(created.Status == HttpStatusCode.OK, created.Page);
        Assert.Contains("id=\"new-key\"", created.Page, StringComparison.Ordinal);
        Assert.Contains(tailnet.Audit, e => e is { Person: "nora@site", Action: "node.rename", Outcome: "ok" });
        Assert.Contains(tailnet.Audit, e => e is { Person: "ivan@site", Action: "preauthkey.create", Outcome: "ok" });
    }

    [Theory]
    [InlineData("mia@site", "member")]
    [InlineData("bill@site", "billing-admin")]
    public async Task Roles_without_a_console_are_refused_at_login(string login, string role)
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var client = await ConsoleClient.CreateAsync(tailnet.Appliance);
        var response = await client.SubmitLoginAsync(login, ConsoleClient.Password, "");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"Your role ({role}) has no access", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, (await client.GetAsync("/admin/nodes")).Status); // no session: back to the login
    }

    [Fact]
    public async Task The_change_routes_the_tests_walk_are_every_post_route_under_admin()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        var posts = tailnet.Appliance.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/admin", StringComparison.Ordinal)
                && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .Select(e => e.RoutePattern.RawText!)
            .Order(StringComparer.Ordinal)
            .ToList();

        // Login, logout and the policy check change nothing in the tailnet; everything else must be in ChangeRoutes.
        string[] notChanges = ["/admin/login", "/admin/logout", "/admin/policy/check"];
        Assert.Equal(ConsoleEndpoints.ChangeRoutes.Select(r => r.Pattern).Concat(notChanges).Order(StringComparer.Ordinal), posts);
    }

    /// <summary>Every field any console form has, so one body fits every change route.</summary>
    internal static readonly (string, string)[] EveryField =
    [
        ("name", "renamed"), ("tags", "tag:server"), ("confirm", "yes"), ("user", "alice@site"), ("reason", "no"),
        ("routes", "10.20.0.0/24"), ("expiration", "1h"), ("policy", ConsoleTailnet.PolicyV1), ("login", "new@site"), ("role", "admin"),
    ];

    internal static string Concrete(string pattern, ConsoleTailnet tailnet, string pendingId) =>
        pattern.Replace("/policy/versions/{id:long}", "/policy/versions/1", StringComparison.Ordinal)
            .Replace("{id:long}", tailnet.RouterId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{id}", pendingId, StringComparison.Ordinal)
            .Replace("{prefix}", tailnet.KeyPrefix, StringComparison.Ordinal)
            .Replace("{login}", "mia@site", StringComparison.Ordinal);
}
