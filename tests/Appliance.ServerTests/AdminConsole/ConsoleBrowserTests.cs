using System.Text.Json;
using Appliance.Hosting.Identity;
using Appliance.Hosting.UpdateRequests;
using Appliance.ServerTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// The console in a real browser: Debian's chromium, headless, driven by playwright-core (tests/browser/console.mjs).
/// An admin logs in with password and TOTP, approves the C# test client that is waiting, saves a policy with a
/// deliberate error (the page shows LINE:COLUMN and nothing is applied), checks and saves the fix, and visits
/// every page; axe-core checks each page for serious or critical accessibility violations. Screenshots of every
/// page go to TestResults/screenshots (console-*.png). Needs /usr/bin/chromium and `npm ci` in tests/browser.
/// </summary>
[Trait("Category", "Browser")]
public sealed class ConsoleBrowserTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_admin_approves_a_waiting_client_and_fixes_a_broken_policy_in_chromium_and_every_page_passes_axe()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        ConsoleBundles.PrepareUpdatesRoot(tailnet.Appliance);
        using var media = new TempFolder();
        var bundle = Path.Combine(media.Path, "appliance-1.0.1.aupd");
        await File.WriteAllBytesAsync(bundle, ConsoleBundles.Release("1.0.1"));
        var (laptop, waiting, _) = await tailnet.WaitingLoginAsync("laptop");
        var fixedPolicy = ConsoleTailnet.PolicyV2.Replace("\"tag:db\"", "\"tag:web\"", StringComparison.Ordinal);
        var config = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["url"] = $"https://127.0.0.1:{tailnet.Appliance.Https.Port}",
            ["login"] = "alice@site",
            ["password"] = ConsoleClient.Password,
            ["code"] = TotpSecret.Code(ConsoleClient.AliceSecret, DateTimeOffset.UtcNow),
            ["pendingHost"] = "laptop",
            ["person"] = "nora@site",
            ["newPerson"] = "zoe@site",
            ["bundle"] = bundle,
            ["brokenPolicy"] = ConsoleTailnet.PolicyV2.Replace("\"accept\"", "\"allow\"", StringComparison.Ordinal),
            ["fixedPolicy"] = fixedPolicy,
            ["screenshots"] = Screenshots,
            ["axe"] = true,
        });

        var (exit, output) = await RunBrowserAsync(config);

        Assert.True(exit == 0, output);
        foreach (var page in new[] { "login", "nodes", "logins", "policy", "policy-error", "keys", "routes", "people", "ca", "updates", "audit", "health", "people-added", "people-totp", "updates-refused", "updates-waiting" })
        {
            Assert.Contains($"{{\"name\":\"axe {page}\",\"passed\":true", output, StringComparison.Ordinal);
        }

        var done = await waiting.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("nora@site", done.Response.Login.LoginName);
        Assert.True(await laptop.StartMapPollAsync() == System.Net.HttpStatusCode.OK, laptop.LastError);
        var policy = (await tailnet.Api.GetPolicyAsync(default)).Value!;
        Assert.Equal(fixedPolicy.ReplaceLineEndings("\n"), policy.Text.ReplaceLineEndings("\n"));
        Assert.Equal("console:alice@site", policy.Source);
        Assert.Equal("auditor", tailnet.Appliance.Services.GetRequiredService<IdentityFileService>().Current.Find("zoe@site")?.Role);
        Assert.Equal("alice@site", UpdateInbox.ForDataDirectory(tailnet.Appliance.DataDir).Read().Waiting?.Person);
        Assert.Equal(["login.approve ok", "policy.set invalid", "policy.set ok", "person.create ok", "person.totp.reset ok", "update.check invalid", "update.request ok"],
            tailnet.Audit.Where(e => e.Person == "alice@site").Select(e => e.Action + " " + e.Outcome.Split(':')[0]));
        foreach (var page in new[] { "login", "nodes", "logins", "policy", "policy-error", "policy-saved", "keys", "routes", "people", "ca", "updates", "audit", "health", "policy-history", "people-added", "people-totp", "updates-refused", "updates-waiting", "audit-after" })
        {
            Assert.True(File.Exists(Path.Combine(Screenshots, $"console-{page}.png")), page);
        }
    }

    /// <summary>
    /// Every other console role in the browser (tests/browser/console-roles.mjs): each logs in and sees change forms only
    /// where its role may change something; the network admin approves a waiting client in the browser; the auditor is
    /// offered no change at all on any page (the server refusing each change route is ConsoleRoleTests').
    /// </summary>
    [Fact]
    public async Task Each_role_sees_only_the_changes_it_may_make_and_the_network_admin_approves_a_client_in_chromium()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        var (_, waiting, _) = await tailnet.WaitingLoginAsync("desk");
        var config = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["url"] = $"https://127.0.0.1:{tailnet.Appliance.Https.Port}",
            ["password"] = ConsoleClient.Password,
            ["screenshots"] = Screenshots,
            ["people"] = new object[]
            {
                // The auditor first, while the login of "desk" still waits: not even that may be approved.
                new Dictionary<string, object> { ["login"] = "audrey@site" },
                new Dictionary<string, object> { ["login"] = "olga@site" },
                new Dictionary<string, object> { ["login"] = "nora@site", ["approve"] = new Dictionary<string, string> { ["host"] = "desk", ["person"] = "ivan@site" } },
                new Dictionary<string, object> { ["login"] = "ivan@site" },
            },
        });

        var (exit, output) = await BrowserScript.RunAsync("console-roles.mjs", [config], TimeSpan.FromMinutes(3));

        Assert.True(exit == 0, output);
        using var result = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith("{\"ok\"", StringComparison.Ordinal)));
        int Forms(string login, string page) => result.RootElement.GetProperty("forms").GetProperty(login).GetProperty(page).GetInt32();
        string[] pages = ["nodes", "logins", "keys", "routes", "policy", "people", "ca", "updates", "audit", "health"];
        Assert.All(pages, p => Assert.True(Forms("audrey@site", p) == 0, $"the auditor is offered a change on {p}"));
        Assert.True(Forms("olga@site", "policy") > 0 && Forms("olga@site", "people") > 0 && Forms("olga@site", "updates") > 0 && Forms("olga@site", "logins") > 0, output);
        Assert.True(Forms("nora@site", "policy") > 0 && Forms("nora@site", "nodes") > 0, output);
        Assert.True(Forms("nora@site", "people") == 0 && Forms("nora@site", "updates") == 0 && Forms("nora@site", "keys") == 0, output);
        Assert.True(Forms("ivan@site", "people") > 0 && Forms("ivan@site", "keys") > 0, output);
        Assert.True(Forms("ivan@site", "policy") == 0 && Forms("ivan@site", "updates") == 0 && Forms("ivan@site", "nodes") == 0, output);

        var done = await waiting.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("ivan@site", done.Response.Login.LoginName);
        Assert.Contains(tailnet.Audit, e => e is { Person: "nora@site", Action: "login.approve", Outcome: "ok" });
        Assert.DoesNotContain(tailnet.Audit, e => e.Person == "audrey@site");
        foreach (var who in new[] { "olga", "nora", "ivan", "audrey" })
        {
            Assert.True(File.Exists(Path.Combine(Screenshots, $"console-role-{who}-policy.png")), who);
        }
    }

    private static string Screenshots => BrowserScript.Screenshots;

    private static Task<(int Exit, string Output)> RunBrowserAsync(string config) =>
        BrowserScript.RunAsync("console.mjs", [config], TimeSpan.FromMinutes(3), package: "axe-core");
}
