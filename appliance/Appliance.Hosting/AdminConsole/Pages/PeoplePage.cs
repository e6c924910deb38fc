using Appliance.Hosting.AdminConsole.Html;
using Appliance.Hosting.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// People as the identity file lists them, with the forms to add, disable/enable, reset and give roles
/// (<see cref="Appliance.Hosting.AdminConsole.Actions.PeopleActions"/>) for the roles that may change people. Stored secrets are never shown, only
/// whether a password, TOTP or certificate is set; a secret the console makes is shown once on the page that made it.
/// </summary>
internal static class PeoplePage
{
    public const string Path = "/admin/people";

    /// <summary>A secret made by the change this page answers: shown on this one page and never again.</summary>
    internal sealed record Secret(string Login, string Message, string? Password, string? OtpAuthUri);

    public static Task<IResult> Show(ConsoleUser user, HttpContext context) => Render(user, context, StatusCodes.Status200OK, null, null);

    /// <summary>A new TOTP secret: a QR code to scan (inline SVG, drawn here) and the otpauth:// URI to copy.</summary>
    private static string TotpShown(Secret secret) => secret.OtpAuthUri is not { } uri ? "" :
        "<p>Scan this with their authenticator app:</p>"
        + $"<figure id=\"new-totp-qr\" class=\"qr\">{QrSvg.Render(uri, $"QR code of the new TOTP secret for {secret.Login}")}</figure>"
        + $"<p>Or enter it by hand:</p><p><code class=\"secret\" id=\"new-totp\">{E(uri)}</code></p>";

    public static Task<IResult> Render(ConsoleUser user, HttpContext context, int status, string? error, Secret? secret)
    {
        var identity = context.RequestServices.GetRequiredService<IdentityFileService>();
        var people = identity.Current.People.OrderBy(p => p.Login, StringComparer.Ordinal);
        var canChange = user.CanChange(ConsoleArea.People);
        var rows = people.Select(p => $"""
            <tr data-person="{E(p.Login)}"><td>{E(p.Login)}</td><td>{E(p.DisplayName ?? "")}</td><td>{E(p.Email ?? "")}</td><td>{E(p.Role)}</td>
            <td>{E(string.Join(", ", p.Groups))}</td><td>{(p.Disabled ? "<strong>disabled</strong>" : "active")}</td>
            <td>{Factors(p)}</td>{(canChange ? $"<td>{RowActions(user, p)}</td>" : "")}</tr>
            """);
        var shown = secret is null ? "" : $"""
            <section aria-labelledby="secret-title" id="secret">
            <h2 id="secret-title">{E(secret.Message)}</h2>
            <p>Give it to {E(secret.Login)} in person: it is shown only this once.</p>
            {(secret.Password is null ? "" : $"<p>Password: <code class=\"secret\" id=\"new-password\">{E(secret.Password)}</code></p>")}
            {TotpShown(secret)}
            </section>
            """;
        var body = $"""
            {shown}
            <p>From <code>{E(identity.FilePath)}</code>{(identity.Loaded ? "" : " (not loaded: nobody can log in)")}. {(canChange ? "Changes here are written to that file (comments and layout stay), as" : "Change people with")} <code>appliance users …</code> on the appliance does.</p>
            {(identity.LastError is { } problem ? $"<div class=\"error\" role=\"alert\" id=\"identity-error\">The identity file was refused and the last good version is in use: {E(problem)}</div>" : "")}
            <table id="people">
            <caption class="vh">People</caption>
            <thead><tr><th scope="col">Login</th><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Groups</th><th scope="col">State</th><th scope="col">Sign-in</th>{(canChange ? "<th scope=\"col\">Actions</th>" : "")}</tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            {(canChange ? AddForm(user) : "")}
            """;
        return Task.FromResult(ConsoleResults.Html(context, status, Page(user, Path, "People", body,
            status == StatusCodes.Status200OK && secret is null ? user.Session.TakeFlash() : null, error)));
    }

    private static string RowActions(ConsoleUser user, Person p)
    {
        var id = Uri.EscapeDataString(p.Login);
        var at = $"{Path}/{id}";
        return $"""
            <form class="inline" method="post" action="{at}/role">{CsrfField(user)}<label class="vh" for="role-{E(p.Login)}">Role of {E(p.Login)}</label><select id="role-{E(p.Login)}" name="role">{RoleOptions(p.Role)}</select><button type="submit">Set role</button></form>
            {(p.Disabled ? Button(user, at + "/enable", "Enable", $"Enable {p.Login}") : Button(user, at + "/disable", "Disable", $"Disable {p.Login}", danger: true))}
            {Button(user, at + "/password", "Reset password", $"Reset password of {p.Login}")}
            {Button(user, at + "/totp", "Reset TOTP", $"Reset TOTP of {p.Login}")}
            """;
    }

    private static string AddForm(ConsoleUser user) => $"""
        <h2>Add a person</h2>
        <form method="post" action="{Path}" id="add-person">{CsrfField(user)}
        <p><label for="person-login">Login</label> <input id="person-login" name="login" required maxlength="256" placeholder="name@site"></p>
        <p><label for="person-name">Name</label> <input id="person-name" name="display_name" maxlength="256"></p>
        <p><label for="person-email">E-mail</label> <input id="person-email" name="email" type="email" maxlength="256"></p>
        <p><label for="person-role">Role</label> <select id="person-role" name="role">{RoleOptions(PersonRoles.Member)}</select></p>
        <button type="submit">Add person</button> <span class="muted">A password is made for them and shown once.</span>
        </form>
        """;

    private static string RoleOptions(string selected) =>
        string.Concat(PersonRoles.All.Select(r => $"<option value=\"{E(r)}\"{(r == selected ? " selected" : "")}>{E(r)}</option>"));

    private static string Factors(Person p)
    {
        var factors = new List<string>();
        if (p.PasswordHash is not null)
        {
            factors.Add("password");
        }

        if (p.TotpSecret is not null)
        {
            factors.Add("TOTP");
        }

        if (p.ClientCertificate is not null)
        {
            factors.Add("certificate");
        }

        return factors.Count == 0 ? "<span class=\"muted\">none</span>" : E(string.Join(" + ", factors));
    }
}
