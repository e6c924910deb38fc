using System.Net;
using System.Text.RegularExpressions;
using Appliance.Hosting.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// People editing over HTTP: add, disable/enable, reset password and TOTP (the secret shown once), set the role,
/// written to the identity file the CLI's way (comments stay) and live at once; IT admins cannot touch admins nor
/// make one, nobody disables themselves, network admins and auditors are refused; every action reaches the audit hook.
/// </summary>
public sealed partial class ConsolePeopleTests
{
    private const string Comment = "// the security officer's note: keep this line";

    private static async Task<(ConsoleTailnet Tailnet, IdentityFileService Identity)> StartAsync()
    {
        var tailnet = await ConsoleTailnet.StartAsync();
        var identity = tailnet.Appliance.Services.GetRequiredService<IdentityFileService>();
        var text = await File.ReadAllTextAsync(identity.FilePath);
        await File.WriteAllTextAsync(identity.FilePath, text.Replace("\"people\": [", "\"people\": [\n    " + Comment, StringComparison.Ordinal));
        Assert.True(identity.Reload());
        return (tailnet, identity);
    }

    [Fact]
    public async Task An_admin_adds_a_person_who_logs_in_with_the_password_shown_once_and_the_file_keeps_its_comments()
    {
        var (tailnet, identity) = await StartAsync();
        await using var _ = tailnet;
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");

        var (status, page, _) = await alice.PostAsync("/admin/people", ("login", "zoe@site"), ("display_name", "Zoe <Z>"), ("email", "zoe@example.org"), ("role", "auditor"));
        Assert.True(status == HttpStatusCode.OK, page);
        var password = NewPassword().Match(page).Groups[1].Value;
        Assert.Equal(20, password.Length);
        Assert.Contains("Zoe &lt;Z&gt;", page, StringComparison.Ordinal);

        var text = await File.ReadAllTextAsync(identity.FilePath);
        Assert.Contains(Comment, text, StringComparison.Ordinal);
        var zoe = identity.Current.Find("zoe@site");
        Assert.NotNull(zoe);
        Assert.Equal(("auditor", "zoe@example.org", false), (zoe.Role, zoe.Email, zoe.Disabled));
        Assert.True(PasswordHasher.Verify(password, zoe.PasswordHash!));
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);

        using var client = await ConsoleClient.CreateAsync(tailnet.Appliance);
        Assert.Equal(HttpStatusCode.SeeOther, (await client.SubmitLoginAsync("zoe@site", password, "")).StatusCode);

        // The password is never shown again.
        Assert.DoesNotContain(password, (await alice.GetAsync("/admin/people")).Page, StringComparison.Ordinal);

        // Adding the same login again, or a malformed one, changes nothing.
        var before = await File.ReadAllTextAsync(identity.FilePath);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsync("/admin/people", ("login", "zoe@site"), ("role", "member"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsync("/admin/people", ("login", "no-domain"), ("role", "member"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.PostAsync("/admin/people", ("login", "x@site"), ("role", "emperor"))).Status);
        Assert.Equal(before, await File.ReadAllTextAsync(identity.FilePath));
        Assert.Contains(tailnet.Audit, e => e is { Person: "alice@site", Action: "person.create", Target: "zoe@site", Outcome: "ok" });
        Assert.Contains(tailnet.Audit, e => e is { Action: "person.create", Target: "no-domain" } && e.Outcome.StartsWith("invalid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_it_admin_disables_enables_resets_and_gives_roles_and_each_takes_effect_at_once()
    {
        var (tailnet, identity) = await StartAsync();
        await using var _ = tailnet;
        using var ivan = await ConsoleClient.LoginAsync(tailnet.Appliance, "ivan@site");

        // Mia (member) gets the auditor role: she can log in to the console now.
        var role = await ivan.PostAsync("/admin/people/mia@site/role", ("role", "auditor"));
        Assert.True(role.Status == HttpStatusCode.SeeOther, role.Page);
        Assert.Equal("auditor", identity.Current.Find("mia@site")!.Role);
        using var mia = await ConsoleClient.LoginAsync(tailnet.Appliance, "mia@site");

        // Disabled: her session ends at her next click and the login is refused; enabled again: she is back.
        Assert.Equal(HttpStatusCode.SeeOther, (await ivan.PostAsync("/admin/people/mia@site/disable")).Status);
        Assert.True(identity.Current.Find("mia@site")!.Disabled);
        Assert.Equal(HttpStatusCode.SeeOther, (await mia.GetAsync("/admin/nodes")).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await ivan.PostAsync("/admin/people/mia@site/enable")).Status);
        Assert.False(identity.Current.Find("mia@site")!.Disabled);

        // A new password: shown once, the old one stops working.
        var reset = await ivan.PostAsync("/admin/people/mia@site/password");
        Assert.True(reset.Status == HttpStatusCode.OK, reset.Page);
        var password = NewPassword().Match(reset.Page).Groups[1].Value;
        using (var old = await ConsoleClient.CreateAsync(tailnet.Appliance))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.SubmitLoginAsync("mia@site", ConsoleClient.Password, "")).StatusCode);
        }

        Assert.True(PasswordHasher.Verify(password, identity.Current.Find("mia@site")!.PasswordHash!));

        // A new TOTP secret: the otpauth URI carries it, and the file holds it.
        var totp = await ivan.PostAsync("/admin/people/mia@site/totp");
        Assert.True(totp.Status == HttpStatusCode.OK, totp.Page);
        var secret = identity.Current.Find("mia@site")!.TotpSecret;
        Assert.NotNull(secret);
        Assert.Contains("secret=" + secret, WebUtility.HtmlDecode(totp.Page), StringComparison.Ordinal);
        Assert.Contains(Comment, await File.ReadAllTextAsync(identity.FilePath), StringComparison.Ordinal);

        string[] actions = ["person.role", "person.disable", "person.enable", "person.password.reset", "person.totp.reset"];
        Assert.Equal(actions, tailnet.Audit.Where(e => e.Person == "ivan@site" && e.Outcome == "ok").Select(e => e.Action));
        Assert.All(tailnet.Audit.Where(e => e.Person == "ivan@site"), e => Assert.Equal("mia@site", e.Target));
    }

    [Fact]
    public async Task It_admins_cannot_touch_admins_nor_make_one_nobody_locks_themselves_out_and_unknown_people_are_404()
    {
        var (tailnet, identity) = await StartAsync();
        await using var _ = tailnet;
        using var ivan = await ConsoleClient.LoginAsync(tailnet.Appliance, "ivan@site");
        using var alice = await ConsoleClient.LoginAsync(tailnet.Appliance, "alice@site");
        using var nora = await ConsoleClient.LoginAsync(tailnet.Appliance, "nora@site");
        var before = await File.ReadAllTextAsync(identity.FilePath);

        Assert.Equal(HttpStatusCode.Forbidden, (await ivan.PostAsync("/admin/people/alice@site/disable")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await ivan.PostAsync("/admin/people/alice@site/password")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await ivan.PostAsync("/admin/people/olga@site/totp")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await ivan.PostAsync("/admin/people/mia@site/role", ("role", "admin"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await ivan.PostAsync("/admin/people/ivan@site/role", ("role", "owner"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await ivan.PostAsync("/admin/people", ("login", "boss@site"), ("role", "owner"))).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await ivan.PostAsync("/admin/people/ivan@site/disable")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await alice.PostAsync("/admin/people/alice@site/role", ("role", "member"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsync("/admin/people/nobody@site/disable")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await nora.PostAsync("/admin/people/mia@site/disable")).Status);
        Assert.Equal(before, await File.ReadAllTextAsync(identity.FilePath));

        // An admin may do what the IT admin may not.
        Assert.Equal(HttpStatusCode.SeeOther, (await alice.PostAsync("/admin/people/mia@site/role", ("role", "admin"))).Status);
        Assert.Equal("admin", identity.Current.Find("mia@site")!.Role);
        Assert.Contains(tailnet.Audit, e => e is { Person: "ivan@site", Action: "person.disable", Target: "alice@site" } && e.Outcome.StartsWith("forbidden", StringComparison.Ordinal));
    }

    [GeneratedRegex("id=\"new-password\">([^<]+)<")]
    private static partial Regex NewPassword();
}
