using System.Net;

namespace Appliance.Hosting.AdminConsole.Html;

/// <summary>
/// The console's page frame: header with the person and a logout form, the navigation, the flash message, then
/// the page's own body. Every value written into HTML goes through <see cref="E"/>. No scripts, no inline styles
/// (the Content-Security-Policy allows neither), one stylesheet from the executable.
/// </summary>
internal static class ConsoleHtml
{
    public const string StylesheetPath = "/admin/static/console.css";

    public static readonly IReadOnlyList<(string Path, string Title)> Navigation =
    [
        ("/admin/nodes", "Nodes"),
        ("/admin/logins", "Pending logins"),
        ("/admin/keys", "Pre-auth keys"),
        ("/admin/routes", "Routes"),
        ("/admin/policy", "Policy"),
        ("/admin/people", "People"),
        ("/admin/ca", "CA"),
        ("/admin/updates", "Updates"),
        ("/admin/audit", "Audit log"),
        ("/admin/health", "Health"),
    ];

    public static readonly Lazy<string> Stylesheet = new(() =>
    {
        using var stream = typeof(ConsoleHtml).Assembly.GetManifestResourceStream("Appliance.Hosting.AdminConsole.Html.console.css")
            ?? throw new InvalidOperationException("the console stylesheet is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <param name="refreshSeconds">Reload the page after this many seconds (the nodes page's live mode); null: never.</param>
    public static string Page(ConsoleUser user, string active, string title, string body, string? flash = null, string? error = null, int? refreshSeconds = null) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {(refreshSeconds is { } refresh ? $"<meta http-equiv=\"refresh\" content=\"{refresh}\">" : "")}
        <title>{E(title)} - Appliance console</title>
        <link rel="stylesheet" href="{StylesheetPath}">
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
        <span class="brand">Appliance console</span>
        <span id="whoami">{E(user.Person.DisplayName ?? user.Person.Login)} ({E(user.Person.Login)}, {E(user.Role)})</span>
        <form method="post" action="/admin/logout">{CsrfField(user)}<button type="submit">Log out</button></form>
        </header>
        <nav aria-label="Console pages"><ul>
        {string.Concat(Navigation.Select(n => $"<li><a href=\"{n.Path}\"{(n.Path == active ? " aria-current=\"page\"" : "")}>{E(n.Title)}</a></li>"))}
        </ul></nav>
        <main id="main">
        <h1>{E(title)}</h1>
        {(flash is null ? "" : $"<p class=\"ok\" role=\"status\" id=\"flash\">{E(flash)}</p>")}
        {(error is null ? "" : $"<div class=\"error\" role=\"alert\" id=\"error\">{E(error)}</div>")}
        {body}
        </main>
        </body>
        </html>
        """;

    /// <summary>A page outside a session (login, refusals): no navigation.</summary>
    public static string Bare(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)} - Appliance console</title>
        <link rel="stylesheet" href="{StylesheetPath}">
        </head>
        <body>
        <main class="narrow" id="main">
        <h1>{E(title)}</h1>
        {body}
        </main>
        </body>
        </html>
        """;

    public static string CsrfField(ConsoleUser user) => $"<input type=\"hidden\" name=\"csrf\" value=\"{E(user.Session.Csrf)}\">";

    /// <summary>A one-button form posting to <paramref name="action"/> (the CSRF token included).</summary>
    public static string Button(ConsoleUser user, string action, string label, string? accessibleName = null, bool danger = false, string hidden = "") =>
        $"<form class=\"inline\" method=\"post\" action=\"{E(action)}\">{CsrfField(user)}{hidden}<button type=\"submit\"{(danger ? " class=\"danger\"" : "")}{(accessibleName is null ? "" : $" aria-label=\"{E(accessibleName)}\"")}>{E(label)}</button></form>";

    public static string Time(DateTimeOffset? at, bool seconds = false) => at is { } t
        ? $"<time datetime=\"{t.UtcDateTime:O}\">{t.UtcDateTime.ToString(seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC</time>"
        : "<span class=\"muted\">never</span>";
}
