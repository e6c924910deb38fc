using System.Text.Json;
using Appliance.Hosting.Identity;
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
            ["brokenPolicy"] = ConsoleTailnet.PolicyV2.Replace("\"accept\"", "\"allow\"", StringComparison.Ordinal),
            ["fixedPolicy"] = fixedPolicy,
            ["screenshots"] = Screenshots,
            ["axe"] = true,
        });

        var (exit, output) = await RunBrowserAsync(config);

        Assert.True(exit == 0, output);
        foreach (var page in new[] { "login", "nodes", "logins", "policy", "policy-error", "keys", "routes", "people", "ca", "updates", "audit", "health", "people-added", "updates-refused" })
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
        Assert.Equal(["login.approve ok", "policy.set invalid", "policy.set ok", "person.create ok", "update.check invalid"],
            tailnet.Audit.Where(e => e.Person == "alice@site").Select(e => e.Action + " " + e.Outcome.Split(':')[0]));
        foreach (var page in new[] { "login", "nodes", "logins", "policy", "policy-error", "policy-saved", "keys", "routes", "people", "ca", "updates", "audit", "health", "policy-history", "people-added", "updates-refused", "audit-after" })
        {
            Assert.True(File.Exists(Path.Combine(Screenshots, $"console-{page}.png")), page);
        }
    }

    private static string Screenshots => BrowserScript.Screenshots;

    private static Task<(int Exit, string Output)> RunBrowserAsync(string config) =>
        BrowserScript.RunAsync("console.mjs", [config], TimeSpan.FromMinutes(3), package: "axe-core");
}
