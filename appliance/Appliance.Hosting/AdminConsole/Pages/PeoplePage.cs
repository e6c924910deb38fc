using Appliance.Hosting.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>
/// People as the identity file lists them (read-only here: the file is the security officer's and `appliance users`
/// edits it). Secrets are never shown, only whether a password, TOTP or certificate is set.
/// </summary>
internal static class PeoplePage
{
    public const string Path = "/admin/people";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context)
    {
        var identity = context.RequestServices.GetRequiredService<IdentityFileService>();
        var people = identity.Current.People.OrderBy(p => p.Login, StringComparer.Ordinal);
        var rows = people.Select(p => $"""
            <tr><td>{E(p.Login)}</td><td>{E(p.DisplayName ?? "")}</td><td>{E(p.Email ?? "")}</td><td>{E(p.Role)}</td>
            <td>{E(string.Join(", ", p.Groups))}</td><td>{(p.Disabled ? "<strong>disabled</strong>" : "active")}</td>
            <td>{Factors(p)}</td></tr>
            """);
        var body = $"""
            <p>From <code>{E(identity.FilePath)}</code>{(identity.Loaded ? "" : " (not loaded: nobody can log in)")}. Change people with <code>appliance users …</code> on the appliance, or in the file.</p>
            {(identity.LastError is { } problem ? $"<div class=\"error\" role=\"alert\" id=\"error\">The identity file was refused and the last good version is in use: {E(problem)}</div>" : "")}
            <table id="people">
            <caption class="vh">People</caption>
            <thead><tr><th scope="col">Login</th><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Groups</th><th scope="col">State</th><th scope="col">Sign-in</th></tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            """;
        return Task.FromResult(ConsoleResults.Html(context, StatusCodes.Status200OK, Page(user, Path, "People", body)));
    }

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
