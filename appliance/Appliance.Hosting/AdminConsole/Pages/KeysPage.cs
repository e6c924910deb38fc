using Appliance.Hosting.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>Pre-auth keys: the list, a create form (the key is shown once, on the page the create answers) and expire.</summary>
internal static class KeysPage
{
    public const string Path = "/admin/keys";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context) => Render(user, context, StatusCodes.Status200OK, null, null);

    /// <param name="created">A key just created: its secret is shown on this one page and never again.</param>
    public static async Task<IResult> Render(ConsoleUser user, HttpContext context, int status, string? error, PreAuthKeyDto? created)
    {
        var api = context.RequestServices.GetRequiredService<IAdminApi>();
        var keys = await api.ListPreAuthKeysAsync(null, context.RequestAborted).ConfigureAwait(false);
        var users = (await api.ListUsersAsync(context.RequestAborted).ConfigureAwait(false)).Value ?? [];
        var canChange = user.CanChange(ConsoleArea.Keys);
        var secret = created is null ? "" : $"""
            <section aria-labelledby="new-key-title">
            <h2 id="new-key-title">New key</h2>
            <p>Copy it now: it is shown only this once.</p>
            <p class="secret"><code id="new-key">{E(created.Key)}</code></p>
            </section>
            """;
        var form = !canChange ? "" : $"""
            <h2>Create a key</h2>
            <form method="post" action="{Path}" id="create-key">{CsrfField(user)}
            <p><label for="key-user">Person</label>
            <select id="key-user" name="user"><option value="">none: tagged devices</option>{string.Concat(users.OrderBy(u => u.Name, StringComparer.Ordinal).Select(u => $"<option value=\"{E(u.Name)}\">{E(u.Name)}</option>"))}</select></p>
            <p><label for="key-tags">Tags</label> <input id="key-tags" name="tags" maxlength="1000" placeholder="tag:server"></p>
            <p><label for="key-expiration">Valid for</label> <input id="key-expiration" name="expiration" value="1h" maxlength="20" aria-describedby="key-expiration-help">
            <span id="key-expiration-help" class="muted">such as 30m, 1h, 7d</span></p>
            <p><input type="checkbox" id="key-reusable" name="reusable" value="yes"> <label for="key-reusable">Reusable</label>
            <input type="checkbox" id="key-ephemeral" name="ephemeral" value="yes"> <label for="key-ephemeral">Ephemeral nodes</label></p>
            <button type="submit">Create key</button>
            </form>
            """;
        var rows = (keys.Value ?? []).OrderByDescending(k => k.CreatedAt).Select(k => $"""
            <tr><td><code>{E(k.Prefix)}</code></td><td>{E(k.User ?? "(tagged)")}</td><td>{string.Join("<br>", k.Tags.Select(E))}</td>
            <td>{(k.Reusable ? "yes" : "no")}</td><td>{(k.Ephemeral ? "yes" : "no")}</td><td>{k.Used}</td>
            <td>{(k.Expired ? "<strong>expired</strong>" : Time(k.Expiration))}</td><td>{Time(k.CreatedAt)}</td>
            {(canChange ? $"<td>{(k.Expired ? "" : Button(user, $"{Path}/{k.Prefix}/expire", "Expire", $"Expire key {k.Prefix}"))}</td>" : "")}</tr>
            """);
        var body = $"""
            {secret}
            <table id="keys">
            <caption class="vh">Pre-auth keys</caption>
            <thead><tr><th scope="col">Prefix</th><th scope="col">Person</th><th scope="col">Tags</th><th scope="col">Reusable</th><th scope="col">Ephemeral</th><th scope="col">Used</th><th scope="col">Expires</th><th scope="col">Created</th>{(canChange ? "<th scope=\"col\">Actions</th>" : "")}</tr></thead>
            <tbody>{string.Concat(rows)}</tbody>
            </table>
            {form}
            """;
        return ConsoleResults.Html(context, status, Page(user, Path, "Pre-auth keys", body,
            status == StatusCodes.Status200OK && created is null ? user.Session.TakeFlash() : null, error ?? (keys.IsOk ? null : keys.Error)));
    }
}
