using System.Net;
using Appliance.Hosting.AdminConsole;
using Appliance.Hosting.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>The console's doors: HTTPS only, login with password and TOTP, cookies, CSRF on every post, CSP, sessions that end.</summary>
public sealed class ConsoleSecurityTests
{
    [Fact]
    public async Task The_console_answers_only_on_https_with_a_strict_content_security_policy_and_secure_cookies()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var plain = new HttpClient { BaseAddress = tailnet.Appliance.Http };
        Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync("/admin/login")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await plain.PostAsync("/admin/login", new FormUrlEncodedContent([]))).StatusCode);

        using var client = await ConsoleClient.CreateAsync(tailnet.Appliance);
        using var form = await client.Http.GetAsync("/admin/login");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Equal(ConsoleResultsPolicy, form.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-store", form.Headers.CacheControl!.ToString());
        var page = await form.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);

        var login = await client.SubmitLoginAsync("alice@site", ConsoleClient.Password, TotpSecret.Code(ConsoleClient.AliceSecret, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-appliance-console=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);

        using var css = await client.Http.GetAsync("/admin/static/console.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
    }

    private const string ConsoleResultsPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    [Fact]
    public async Task Wrong_password_or_code_is_refused_and_counts_towards_the_shared_lockout()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var client = await ConsoleClient.CreateAsync(tailnet.Appliance);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SubmitLoginAsync("alice@site", "wrong", "")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SubmitLoginAsync("alice@site", ConsoleClient.Password, "000000")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SubmitLoginAsync("nobody@site", ConsoleClient.Password, "")).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            await client.SubmitLoginAsync("alice@site", "wrong", "");
        }

        var locked = await client.SubmitLoginAsync("alice@site", ConsoleClient.Password, TotpSecret.Code(ConsoleClient.AliceSecret, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await client.GetAsync("/admin/nodes")).Status);
    }

    [Fact]
    public async Task A_post_without_this_sessions_csrf_token_is_refused_and_changes_nothing()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        using var olga = await ConsoleClient.LoginAsync(tailnet.Appliance, "olga@site");
        var before = await tailnet.StateAsync();
        var path = $"/admin/nodes/{tailnet.RouterId}/rename";

        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsync(path, [new("name", "x1")], csrf: "")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsync(path, [new("name", "x2")], csrf: olga.Csrf)).Status);
        // One character changed (to another one: a token that already starts with 'A' stayed valid 1 time in 64).
        var altered = (alice.Csrf[0] == 'A' ? "B" : "A") + alice.Csrf[1..];
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsync(path, [new("name", "x3")], csrf: altered)).Status);
        var giant = await alice.PostAsync(path, ("name", new string('a', 20_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, giant.Status);

        Assert.Equal(before, await tailnet.StateAsync());
        Assert.Contains(tailnet.Audit, e => e is { Person: "alice@site", Action: "node.rename" } && e.Outcome.Contains("CSRF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_session_pages_send_to_the_login_and_changes_are_refused()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        using var stranger = await ConsoleClient.CreateAsync(tailnet.Appliance);
        var before = await tailnet.StateAsync();

        var (status, _) = await stranger.GetAsync("/admin/nodes");
        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.PostAsync($"/admin/nodes/{tailnet.RouterId}/expire", [], csrf: alice.Csrf)).Status);

        // Logging out ends the session: the old cookie and token no longer work.
        var logout = await alice.PostAsync("/admin/logout");
        Assert.Equal(HttpStatusCode.SeeOther, logout.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.PostAsync($"/admin/nodes/{tailnet.RouterId}/expire")).Status);
        Assert.Equal(before, await tailnet.StateAsync());
    }

    [Fact]
    public async Task A_person_disabled_in_the_identity_file_loses_their_console_session_at_once()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var nora = await ConsoleClient.LoginAsync(tailnet.Appliance, "nora@site");
        var identity = tailnet.Appliance.Services.GetRequiredService<IdentityFileService>();
        var text = await File.ReadAllTextAsync(identity.FilePath);
        await File.WriteAllTextAsync(identity.FilePath, text.Replace("\"role\": \"network-admin\"", "\"role\": \"network-admin\", \"disabled\": true", StringComparison.Ordinal));
        Assert.True(identity.Reload());

        Assert.Equal(HttpStatusCode.Unauthorized, (await nora.PostAsync($"/admin/nodes/{tailnet.RouterId}/rename", ("name", "gone"))).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await nora.GetAsync("/admin/nodes")).Status);
        Assert.Equal(0L, tailnet.Appliance.Services.GetRequiredService<Appliance.Hosting.AdminConsole.Sessions.ConsoleSessions>().Count);
    }

    [Fact]
    public async Task Hostile_cookies_tokens_and_forms_are_refused_without_a_server_error_and_change_nothing()
    {
        await using var tailnet = await ConsoleTailnet.StartAsync();
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        using var raw = await ConsoleClient.CreateAsync(tailnet.Appliance);
        var before = await tailnet.StateAsync();
        var random = new Random(19);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+/%.~ ";
        string Garbage(int max) => new([.. Enumerable.Range(0, random.Next(max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

        for (var i = 0; i < 150; i++)
        {
            var route = ConsoleEndpoints.ChangeRoutes[random.Next(ConsoleEndpoints.ChangeRoutes.Count)];
            var path = ConsoleRoleTests.Concrete(route.Pattern, tailnet, "nope");
            var fields = ConsoleRoleTests.EveryField.Select(f => new KeyValuePair<string, string>(f.Item1, random.Next(3) == 0 ? Garbage(300) : f.Item2)).ToList();

            // A stranger with a made-up session cookie, and the real person with a made-up token.
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields.Append(new("csrf", Garbage(80)))) };
            request.Headers.TryAddWithoutValidation("Cookie", "__Host-appliance-console=" + Garbage(100).Trim().Replace(" ", "", StringComparison.Ordinal));
            using var stranger = await raw.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
            var forged = await alice.PostAsync(path, fields, csrf: Garbage(80));
            Assert.True(forged.Status == HttpStatusCode.BadRequest, $"{path}: {forged.Status}");
        }

        Assert.Equal(before, await tailnet.StateAsync());
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync("/admin/nodes")).Status);
    }
}
