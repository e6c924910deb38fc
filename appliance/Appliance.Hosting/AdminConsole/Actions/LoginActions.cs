using Appliance.Hosting.Admin;
using Appliance.Hosting.AdminConsole.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.AdminConsole.Actions;

/// <summary>Approve or reject a waiting login, through the admin API's coordinator commands (as `appliance auth approve|reject`).</summary>
internal static class LoginActions
{
    public static async Task<ChangeOutcome> Approve(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var id = Id(context);
        var person = form["user"].ToString().Trim();
        var result = await Api(context).ApproveRegistrationAsync(id, person, context.RequestAborted).ConfigureAwait(false);
        if (result.IsOk)
        {
            user.Session.SetFlash($"{result.Value.Hostname} is now registered to {person} as {result.Value.Name}.");
            return new ChangeOutcome(id, "ok", ConsoleResults.Redirect(context, LoginsPage.Path));
        }

        return new ChangeOutcome(id, ConsoleResults.Outcome(result),
            await LoginsPage.Render(user, context, ConsoleResults.StatusFor(result.Status), result.Error).ConfigureAwait(false));
    }

    public static async Task<ChangeOutcome> Reject(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var id = Id(context);
        var result = await Api(context).RejectRegistrationAsync(id, form["reason"].ToString(), context.RequestAborted).ConfigureAwait(false);
        if (result.IsOk)
        {
            user.Session.SetFlash($"Login refused; the device was told: {result.Value.Reason}");
            return new ChangeOutcome(id, "ok", ConsoleResults.Redirect(context, LoginsPage.Path));
        }

        return new ChangeOutcome(id, ConsoleResults.Outcome(result),
            await LoginsPage.Render(user, context, ConsoleResults.StatusFor(result.Status), result.Error).ConfigureAwait(false));
    }

    private static string Id(HttpContext context) => context.Request.RouteValues["id"]?.ToString() ?? "";

    private static IAdminApi Api(HttpContext context) => context.RequestServices.GetRequiredService<IAdminApi>();
}
