using Appliance.Hosting.Identity;
using Appliance.ServerTests.EndToEnd;
using Appliance.ServerTests.Support;

namespace Appliance.ServerTests.Identity;

/// <summary>
/// The login page in a real browser: Debian's chromium, headless, driven by playwright-core (tests/browser/login.mjs;
/// decision 0083). The C# test node prints (receives) the AuthURL and waits; the browser logs in with password and
/// TOTP and the node then gets its map. Also the lockout path. Screenshots go to TestResults/screenshots.
/// Needs /usr/bin/chromium and `npm ci` in tests/browser (.ci/run does both).
/// </summary>
[Trait("Category", "Browser")]
public sealed class LoginPageBrowserTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_person_logs_in_in_chromium_with_password_and_totp_and_the_client_gets_its_map()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(identityText: LoginPageTests.IdentityText());
        var (node, waiting, url) = await LoginPageTests.WaitingLoginAsync(appliance, "laptop");

        var (exit, output) = await RunBrowserAsync(url, "success", TotpSecret.Code(LoginPageTests.Secret, DateTimeOffset.UtcNow));

        Assert.True(exit == 0, output);
        Assert.Contains("laptop is now registered to Alice Example", output, StringComparison.Ordinal);
        var done = await waiting.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.True(await node.StartMapPollAsync() == System.Net.HttpStatusCode.OK, node.LastError);
        Assert.True(await node.WaitUntilAsync(n => n.Self is not null, Wait));
        Assert.True(File.Exists(Path.Combine(Screenshots, "success.png")));
    }

    [Fact]
    public async Task A_wrong_code_is_refused_and_repeated_failures_lock_the_person_out_in_chromium()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync(identityText: LoginPageTests.IdentityText());
        var (_, waiting, url) = await LoginPageTests.WaitingLoginAsync(appliance, "laptop");

        var (exit, output) = await RunBrowserAsync(url, "lockout", TotpSecret.Code(LoginPageTests.Secret, DateTimeOffset.UtcNow));

        Assert.True(exit == 0, output);
        Assert.False(waiting.IsCompleted, "a locked-out login registered the client");
        Assert.True(File.Exists(Path.Combine(Screenshots, "wrong-code.png")));
        Assert.True(File.Exists(Path.Combine(Screenshots, "locked-out.png")));
    }

    private static string Screenshots => BrowserScript.Screenshots;

    private static Task<(int Exit, string Output)> RunBrowserAsync(Uri url, string mode, string code) =>
        BrowserScript.RunAsync("login.mjs", [url.ToString(), "alice@site", "correct horse", code, mode, Screenshots], TimeSpan.FromMinutes(2));
}
