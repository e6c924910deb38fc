using Appliance.Hosting.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>Interactive logins waiting for an operator (the URL a client printed): approve to a person, or reject.</summary>
internal static class LoginsPage
{
    public const string Path = "/admin/logins";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context) => Render(user, context, StatusCodes.Status200OK, null);

    public static async Task<IResult> Render(ConsoleUser user, HttpContext context, int status, string? error)
    {
        var api = context.RequestServices.GetRequiredService<IAdminApi>();
        var pending = await api.ListPendingRegistrationsAsync(context.RequestAborted).ConfigureAwait(false);
        var users = (await api.ListUsersAsync(context.RequestAborted).ConfigureAwait(false)).Value ?? [];
        var people = context.RequestServices.GetRequiredService<Identity.IdentityFileService>().Current;
        var choices = users.Where(u => people.Find(u.Name) is not { Disabled: true }).OrderBy(u => u.Name, StringComparer.Ordinal).ToList();
        var canChange = user.CanChange(ConsoleArea.Logins);
        var rows = (pending.Value ?? []).Select(p => $"""
            <tr data-registration="{E(p.Id)}"><td>{E(p.Hostname)}</td><td>{E(p.Os ?? "")}</td><td><code>{E(Short(p.MachineKey))}</code></td>
            <td>{Time(p.CreatedAt)}</td><td>{Time(p.ExpiresAt)}</td>
            {(canChange ? $"<td>{Approve(user, p, choices)}{Reject(user, p)}</td>" : "")}</tr>
            """);
        var body = (pending.Value?.Count ?? 0) == 0
            ? "<p id=\"none\">No logins are waiting. A device that runs <code>tailscale up --login-server …</code> without a key shows up here.</p>"
            : $"""
            <table id="pending">
            <caption class="vh">Pending logins</caption>
            <thead><tr><th scope="col">Device</th><th scope="col">OS</th><th scope="col">Machine key</th><th scope="col">Asked</th><th scope="col">Link expires</th>{(canChange ? "<th scope=\"col\">Decision</th>" : "")}</tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            """;
        return ConsoleResults.Html(context, status, Page(user, Path, "Pending logins", body,
            status == StatusCodes.Status200OK ? user.Session.TakeFlash() : null, error ?? (pending.IsOk ? null : pending.Error)));
    }

    private static string Approve(ConsoleUser user, PendingRegistrationDto p, IReadOnlyList<UserDto> users) => $"""
        <form class="inline" method="post" action="{Path}/{E(p.Id)}/approve">{CsrfField(user)}
        <label for="person-{E(p.Id)}">Person</label>
        <select id="person-{E(p.Id)}" name="user" required>{string.Concat(users.Select(u => $"<option value=\"{E(u.Name)}\">{E(u.DisplayName is null ? u.Name : $"{u.DisplayName} ({u.Name})")}</option>"))}</select>
        <button type="submit" aria-label="Approve {E(p.Hostname)}">Approve</button></form>
        """;

    private static string Reject(ConsoleUser user, PendingRegistrationDto p) => $"""
        <form class="inline" method="post" action="{Path}/{E(p.Id)}/reject">{CsrfField(user)}
        <label for="reason-{E(p.Id)}">Reason</label><input id="reason-{E(p.Id)}" name="reason" maxlength="200" size="16">
        <button type="submit" class="danger" aria-label="Reject {E(p.Hostname)}">Reject</button></form>
        """;

    private static string Short(string key) => key.Length > 24 ? key[..24] + "…" : key;
}
