using Appliance.Hosting.Admin;
using Appliance.Hosting.AdminConsole.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.AdminConsole.Actions;

/// <summary>Create and expire pre-auth keys through the admin API (IdentityService's commands on the tailnet writer).</summary>
internal static class KeyActions
{
    public static async Task<ChangeOutcome> Create(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var person = form["user"].ToString().Trim();
        var tags = form["tags"].ToString().Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var request = new CreatePreAuthKeyRequest(
            person.Length == 0 ? null : person,
            form["reusable"].ToString() == "yes",
            form["ephemeral"].ToString() == "yes",
            form["expiration"].ToString().Trim() is { Length: > 0 } e ? e : null,
            tags);
        var result = await Api(context).CreatePreAuthKeyAsync(request, context.RequestAborted).ConfigureAwait(false);
        if (result.IsOk)
        {
            // The secret goes into this response only: no redirect, so it is never kept for a later page.
            return new ChangeOutcome(result.Value.Prefix, "ok",
                await KeysPage.Render(user, context, StatusCodes.Status200OK, null, result.Value).ConfigureAwait(false));
        }

        return new ChangeOutcome(person, ConsoleResults.Outcome(result),
            await KeysPage.Render(user, context, ConsoleResults.StatusFor(result.Status), result.Error, null).ConfigureAwait(false));
    }

    public static async Task<ChangeOutcome> Expire(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var prefix = context.Request.RouteValues["prefix"]?.ToString() ?? "";
        var result = await Api(context).ExpirePreAuthKeyAsync(prefix, context.RequestAborted).ConfigureAwait(false);
        if (result.IsOk)
        {
            user.Session.SetFlash($"Key {result.Value.Prefix} expired.");
            return new ChangeOutcome(prefix, "ok", ConsoleResults.Redirect(context, KeysPage.Path));
        }

        return new ChangeOutcome(prefix, ConsoleResults.Outcome(result),
            await KeysPage.Render(user, context, ConsoleResults.StatusFor(result.Status), result.Error, null).ConfigureAwait(false));
    }

    private static IAdminApi Api(HttpContext context) => context.RequestServices.GetRequiredService<IAdminApi>();
}
