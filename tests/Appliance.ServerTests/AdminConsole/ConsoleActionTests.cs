using System.Net;
using System.Text.RegularExpressions;
using Appliance.Protocol.Control;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// What an admin does in the console, over HTTP: each change reaches the tailnet through State (seen through the
/// admin API and the test clients), answers 303 back to its page, and is recorded with the person's name.
/// </summary>
public sealed partial class ConsoleActionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_admin_renames_tags_expires_and_deletes_a_node_and_the_delete_needs_its_confirmation()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        var id = tailnet.RouterId;

        var renamed = await alice.PostAsync($"/admin/nodes/{id}/rename", ("name", "edge"));
        Assert.True(renamed.Status == HttpStatusCode.SeeOther, renamed.Page);
        Assert.Equal("/admin/nodes", renamed.Location);
        var (_, list) = await alice.GetAsync("/admin/nodes");
        Assert.Contains("Node 1 renamed to edge.", list, StringComparison.Ordinal);

        var tagged = await alice.PostAsync($"/admin/nodes/{id}/tags", ("tags", "tag:server, tag:db"));
        Assert.True(tagged.Status == HttpStatusCode.SeeOther, tagged.Page);
        var badName = await alice.PostAsync($"/admin/nodes/{id}/rename", ("name", "Not A DNS Label!"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.Status);
        Assert.Contains("Nothing was changed", badName.Page, StringComparison.Ordinal);

        var node = await NodeAsync(tailnet, id);
        Assert.Equal("edge", node!.Name);
        Assert.Equal(["tag:db", "tag:server"], node.Tags.Order(StringComparer.Ordinal));

        var (searchStatus, search) = await alice.GetAsync("/admin/nodes?q=edg");
        Assert.Equal(HttpStatusCode.OK, searchStatus);
        Assert.Contains("1 of 1 nodes", search, StringComparison.Ordinal);
        Assert.Contains("0 of 1 nodes", (await alice.GetAsync("/admin/nodes?q=nothing-like-it")).Page, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.SeeOther, (await alice.PostAsync($"/admin/nodes/{id}/expire")).Status);
        Assert.True((await NodeAsync(tailnet, id))!.Expired);

        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsync($"/admin/nodes/{id}/delete")).Status);
        Assert.NotNull(await NodeAsync(tailnet, id));
        var (confirmStatus, confirm) = await alice.GetAsync($"/admin/nodes/{id}/delete");
        Assert.Equal(HttpStatusCode.OK, confirmStatus);
        Assert.Contains("name=\"confirm\" value=\"yes\"", confirm, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, (await alice.PostAsync($"/admin/nodes/{id}/delete", ("confirm", "yes"))).Status);
        Assert.Null(await NodeAsync(tailnet, id));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsync($"/admin/nodes/{id}/expire")).Status);

        Assert.Equal(
            ["node.rename ok", "node.tags ok", "node.rename invalid", "node.expire ok", "node.delete invalid", "node.delete ok", "node.expire notFound"],
            tailnet.Audit.Where(e => e.Person == "alice@site").Select(e => e.Action + " " + e.Outcome.Split(':')[0]));
    }

    [Fact]
    public async Task An_admin_approves_a_waiting_login_to_a_person_and_rejects_another_and_both_clients_hear_it()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        var (laptop, laptopWaiting, laptopId) = await tailnet.WaitingLoginAsync("laptop");
        var (_, phoneWaiting, phoneId) = await tailnet.WaitingLoginAsync("phone");

        var (_, page) = await alice.GetAsync("/admin/logins");
        Assert.Contains("laptop", page, StringComparison.Ordinal);
        Assert.Contains("phone", page, StringComparison.Ordinal);
        Assert.Contains("<option value=\"nora@site\">Nora Network (nora@site)</option>", page, StringComparison.Ordinal);

        var approved = await alice.PostAsync($"/admin/logins/{laptopId}/approve", ("user", "nora@site"));
        Assert.True(approved.Status == HttpStatusCode.SeeOther, approved.Page);
        var done = await laptopWaiting.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("nora@site", done.Response.Login.LoginName);
        Assert.True(await laptop.StartMapPollAsync() == HttpStatusCode.OK, laptop.LastError);
        Assert.Contains("laptop is now registered to nora@site", (await alice.GetAsync("/admin/logins")).Page, StringComparison.Ordinal);

        var rejected = await alice.PostAsync($"/admin/logins/{phoneId}/reject", ("reason", "not a site phone"));
        Assert.Equal(HttpStatusCode.SeeOther, rejected.Status);
        var refused = await phoneWaiting.WaitAsync(Wait);
        Assert.Contains("not a site phone", refused.Text, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsync($"/admin/logins/{phoneId}/approve", ("user", "nora@site"))).Status);
        Assert.Contains(tailnet.Audit, e => e is { Person: "alice@site", Action: "login.approve", Outcome: "ok" } && e.Target == laptopId);
    }

    [Fact]
    public async Task A_key_is_shown_once_when_created_registers_a_client_and_can_be_expired()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var ivan = await ConsoleClient.LoginAsync(tailnet.Appliance, "ivan@site");

        var created = await ivan.PostAsync("/admin/keys", ("user", "alice@site"), ("expiration", "2h"), ("reusable", "yes"));
        Assert.True(created.Status == HttpStatusCode.OK, created.Page);
        var key = NewKey().Match(created.Page).Groups[1].Value;
        Assert.StartsWith("apk_", key, StringComparison.Ordinal);
        Assert.Equal("no-store", (await ivan.Http.GetAsync("/admin/keys")).Headers.CacheControl!.ToString());
        Assert.DoesNotContain(key, (await ivan.GetAsync("/admin/keys")).Page, StringComparison.Ordinal);

        var client = await tailnet.Appliance.ConnectNodeAsync("kiosk");
        var registered = await client.RegisterAsync(key);
        Assert.True(registered.Response?.MachineAuthorized == true, registered.Text);

        var bad = await ivan.PostAsync("/admin/keys", ("user", "alice@site"), ("expiration", "soon"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("is not a duration", bad.Page, StringComparison.Ordinal);

        var prefix = key[..key.IndexOf('_', 4)];
        var keys = (await tailnet.Api.ListPreAuthKeysAsync(null, default)).Value!;
        var mine = keys.Single(k => key.StartsWith(k.Prefix, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.SeeOther, (await ivan.PostAsync($"/admin/keys/{mine.Prefix}/expire")).Status);
        Assert.True((await tailnet.Api.ListPreAuthKeysAsync(null, default)).Value!.Single(k => k.Id == mine.Id).Expired);
        Assert.False((await (await tailnet.Appliance.ConnectNodeAsync("late")).RegisterAsync(key)).Response?.MachineAuthorized == true);
        _ = prefix;
    }

    [Fact]
    public async Task An_admin_approves_advertised_routes_and_the_exit_node()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var nora = await ConsoleClient.LoginAsync(tailnet.Appliance, "nora@site");
        var (_, page) = await nora.GetAsync("/admin/routes");
        Assert.Contains("10.20.0.0/24", page, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0/0 (exit node)", page, StringComparison.Ordinal);

        var saved = await nora.PostAsync($"/admin/routes/{tailnet.RouterId}", [new("routes", "10.20.0.0/24"), new("routes", "0.0.0.0/0"), new("routes", "::/0")]);
        Assert.True(saved.Status == HttpStatusCode.SeeOther, saved.Page);
        Assert.Equal(["10.20.0.0/24", "0.0.0.0/0", "::/0"], (await NodeAsync(tailnet, tailnet.RouterId))!.ApprovedRoutes);

        var bad = await nora.PostAsync($"/admin/routes/{tailnet.RouterId}", ("routes", "10.20.0.1/24"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(3, (await NodeAsync(tailnet, tailnet.RouterId))!.ApprovedRoutes.Count);

        Assert.Equal(HttpStatusCode.SeeOther, (await nora.PostAsync($"/admin/routes/{tailnet.RouterId}")).Status);
        Assert.Empty((await NodeAsync(tailnet, tailnet.RouterId))!.ApprovedRoutes);
    }

    [Fact]
    public async Task A_policy_with_an_error_is_shown_with_line_and_column_and_not_applied_then_the_fix_is_and_can_be_rolled_back()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var nora = await ConsoleClient.LoginAsync(tailnet.Appliance, "nora@site");
        var live = (await tailnet.Api.GetPolicyAsync(default)).Value!;
        var broken = ConsoleTailnet.PolicyV2.Replace("\"accept\"", "\"allow\"", StringComparison.Ordinal);

        var check = await nora.PostAsync("/admin/policy/check", ("policy", broken));
        Assert.Equal(HttpStatusCode.BadRequest, check.Status);
        Assert.Matches(LineColumn(), check.Page);
        Assert.Contains("<span class=\"del\">-   &quot;acls&quot;: [{&quot;action&quot;: &quot;accept&quot;", check.Page, StringComparison.Ordinal);

        var save = await nora.PostAsync("/admin/policy", ("policy", broken));
        Assert.Equal(HttpStatusCode.BadRequest, save.Status);
        Assert.Matches(LineColumn(), save.Page);
        Assert.Equal(live.Sha256, (await tailnet.Api.GetPolicyAsync(default)).Value!.Sha256);

        var fixedText = ConsoleTailnet.PolicyV2.Replace("\"tag:db\"", "\"tag:web\"", StringComparison.Ordinal);
        var good = await nora.PostAsync("/admin/policy/check", ("policy", fixedText));
        Assert.Equal(HttpStatusCode.OK, good.Status);
        Assert.Contains("The policy is valid", good.Page, StringComparison.Ordinal);
        var saved = await nora.PostAsync("/admin/policy", ("policy", fixedText));
        Assert.True(saved.Status == HttpStatusCode.SeeOther, saved.Page);
        var now = (await tailnet.Api.GetPolicyAsync(default)).Value!;
        Assert.Equal(fixedText, now.Text);
        Assert.Equal("console:nora@site", now.Source);

        var (_, history) = await nora.GetAsync("/admin/policy/history");
        Assert.Contains("console:nora@site", history, StringComparison.Ordinal);
        var (_, version) = await nora.GetAsync($"/admin/policy/versions/{live.Version}");
        Assert.Contains($"Roll back to version {live.Version}", version, StringComparison.Ordinal);
        var rolledBack = await nora.PostAsync($"/admin/policy/versions/{live.Version}/rollback");
        Assert.Equal(HttpStatusCode.SeeOther, rolledBack.Status);
        var after = (await tailnet.Api.GetPolicyAsync(default)).Value!;
        Assert.Equal(live.Text, after.Text);
        Assert.True(after.Version > now.Version);
        Assert.Equal(["policy.set invalid", "policy.set ok", "policy.rollback ok"],
            tailnet.Audit.Where(e => e.Person == "nora@site").Select(e => e.Action + " " + e.Outcome.Split(':')[0]));
    }

    [Fact]
    public async Task The_read_pages_show_people_certificates_and_health()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var audrey = await ConsoleClient.LoginAsync(tailnet.Appliance, "audrey@site");
        var people = (await audrey.GetAsync("/admin/people")).Page;
        Assert.Contains("Ivan IT", people, StringComparison.Ordinal);
        Assert.Contains("password + TOTP", people, StringComparison.Ordinal);
        Assert.DoesNotContain("argon2id", people, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ConsoleClient.AliceSecret, people, StringComparison.Ordinal);

        var certificate = await tailnet.Appliance.HttpsCertificateAsync();
        var ca = (await audrey.GetAsync("/admin/ca")).Page;
        Assert.Contains(Appliance.Pki.Export.CertificatePins.DisplayFingerprint(certificate), ca, StringComparison.Ordinal);
        using var pem = await audrey.Http.GetAsync("/admin/ca/trust.pem");
        Assert.Equal(HttpStatusCode.OK, pem.StatusCode);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", await pem.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var der = await audrey.Http.GetAsync("/admin/ca/trust.cer");
        using var root = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(await der.Content.ReadAsByteArrayAsync());
        Assert.Equal(root.Subject, root.Issuer); // the root clients must trust, not the intermediate
        Assert.Contains(Appliance.Pki.Export.CertificatePins.DisplayFingerprint(root), ca, StringComparison.Ordinal);

        var health = (await audrey.GetAsync("/admin/health")).Page;
        Assert.Contains("1 (", health, StringComparison.Ordinal);
        Assert.Contains("ready", health, StringComparison.Ordinal);
    }

    private static async Task<Appliance.Hosting.Admin.NodeDto?> NodeAsync(ConsoleTailnet tailnet, long id) =>
        (await tailnet.Api.ListNodesAsync(null, default)).Value!.SingleOrDefault(n => n.Id == id);

    [GeneratedRegex("<li>\\d+:\\d+: [^<]+</li>")]
    private static partial Regex LineColumn();

    [GeneratedRegex("<code id=\"new-key\">([^<]+)</code>")]
    private static partial Regex NewKey();
}
