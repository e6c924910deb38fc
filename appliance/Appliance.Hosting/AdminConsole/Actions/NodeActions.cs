using System.Globalization;
using Appliance.Hosting.Admin;
using Appliance.Hosting.AdminConsole.Pages;
using Appliance.State.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.AdminConsole.Actions;

/// <summary>
/// Node changes through the admin API, whose NodeService runs them as coordinator commands (so connected peers
/// learn at once). Success redirects to the node list with a message; a refusal shows the list with State's reason.
/// </summary>
internal static class NodeActions
{
    public static async Task<ChangeOutcome> Rename(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var name = form["name"].ToString().Trim();
        var result = await Api(context).RenameNodeAsync(Id(context), name, context.RequestAborted).ConfigureAwait(false);
        return await Done(user, context, result, r => $"Node {r.Id} renamed to {r.Name}.").ConfigureAwait(false);
    }

    public static async Task<ChangeOutcome> Tags(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var tags = form["tags"].ToString().Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var result = await Api(context).SetNodeTagsAsync(Id(context), tags, context.RequestAborted).ConfigureAwait(false);
        return await Done(user, context, result, r => r.Tags.Count == 0 ? $"Node {r.Name} has no tags now." : $"Node {r.Name} tagged {string.Join(", ", r.Tags)}.").ConfigureAwait(false);
    }

    public static async Task<ChangeOutcome> Expire(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var result = await Api(context).ExpireNodeAsync(Id(context), context.RequestAborted).ConfigureAwait(false);
        return await Done(user, context, result, r => $"Node {r.Name} expired: it must log in again.").ConfigureAwait(false);
    }

    public static async Task<ChangeOutcome> Delete(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        if (form["confirm"].ToString() != "yes")
        {
            var page = await NodesPage.Render(user, context, StatusCodes.Status400BadRequest,
                "A delete needs its confirmation page: use the Delete… link. Nothing was changed.").ConfigureAwait(false);
            return new ChangeOutcome(Id(context).ToString(CultureInfo.InvariantCulture), "invalid: not confirmed", page);
        }

        var result = await Api(context).DeleteNodeAsync(Id(context), context.RequestAborted).ConfigureAwait(false);
        return await Done(user, context, result, r => $"Node {r.Name} deleted.").ConfigureAwait(false);
    }

    internal static long Id(HttpContext context) =>
        long.Parse(context.Request.RouteValues["id"]!.ToString()!, CultureInfo.InvariantCulture);

    private static IAdminApi Api(HttpContext context) => context.RequestServices.GetRequiredService<IAdminApi>();

    private static async Task<ChangeOutcome> Done(ConsoleUser user, HttpContext context, OperationResult<NodeDto> result, Func<NodeDto, string> message)
    {
        var target = Id(context).ToString(CultureInfo.InvariantCulture);
        if (result.IsOk)
        {
            user.Session.SetFlash(message(result.Value));
            return new ChangeOutcome(target, "ok", ConsoleResults.Redirect(context, NodesPage.Path));
        }

        var page = await NodesPage.Render(user, context, ConsoleResults.StatusFor(result.Status), result.Error + " Nothing was changed.").ConfigureAwait(false);
        return new ChangeOutcome(target, ConsoleResults.Outcome(result), page);
    }
}
