using Appliance.Hosting.Admin;
using Appliance.Hosting.AdminConsole.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.AdminConsole.Actions;

/// <summary>Replaces a node's approved routes with the boxes ticked (none ticked clears them), as `appliance nodes routes`.</summary>
internal static class RouteActions
{
    public static async Task<ChangeOutcome> Approve(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var id = NodeActions.Id(context);
        var routes = form["routes"].Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r!.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var result = await context.RequestServices.GetRequiredService<IAdminApi>().ApproveNodeRoutesAsync(id, routes, context.RequestAborted).ConfigureAwait(false);
        var target = $"{id}: {string.Join(" ", routes)}";
        if (result.IsOk)
        {
            user.Session.SetFlash(routes.Count == 0 ? $"No routes approved for {result.Value.Name} now." : $"Approved for {result.Value.Name}: {string.Join(", ", routes)}.");
            return new ChangeOutcome(target, "ok", ConsoleResults.Redirect(context, RoutesPage.Path));
        }

        return new ChangeOutcome(target, ConsoleResults.Outcome(result),
            await RoutesPage.Render(user, context, ConsoleResults.StatusFor(result.Status), result.Error).ConfigureAwait(false));
    }
}
