using Appliance.Hosting.AdminConsole.Pages;
using Appliance.Hosting.Policy;
using Appliance.State.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.AdminConsole.Actions;

/// <summary>
/// Check (reads only), save and roll back, all through the running service's <see cref="IPolicyAdministration"/>:
/// the coordinator's own check, then a version in State's history and the coordinator's ApplyPolicy. The version
/// records who saved it (<c>console:LOGIN</c>).
/// </summary>
internal static class PolicyActions
{
    public const int MaxPolicyFormBytes = 1024 * 1024;

    public static Task<IResult> Check(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var text = form["policy"].ToString();
        var result = context.RequestServices.GetRequiredService<IPolicyAdministration>().Check(text);
        return Task.FromResult(result.IsOk
            ? PolicyPage.Editor(user, context, StatusCodes.Status200OK, text, null,
                $"The policy is valid: checked against {result.Value.Nodes} nodes, its tests pass. It is not saved yet.")
            : PolicyPage.Editor(user, context, ConsoleResults.StatusFor(result.Status), text, result.Error, null));
    }

    public static Task<ChangeOutcome> Save(ConsoleUser user, IFormCollection form, HttpContext context) =>
        Task.FromResult(Replace(user, context, form["policy"].ToString(), "console:" + user.Person.Login, "new text"));

    public static Task<ChangeOutcome> RollBack(ConsoleUser user, IFormCollection form, HttpContext context)
    {
        var id = NodeActions.Id(context);
        var version = context.RequestServices.GetRequiredService<PolicyVersions>().List().FirstOrDefault(v => v.Id == id);
        if (version is null)
        {
            return Task.FromResult(new ChangeOutcome($"version {id}", "notFound: no such version",
                PolicyPage.Editor(user, context, StatusCodes.Status404NotFound, PolicyPage.Live(context).Text, $"There is no policy version {id}.", null)));
        }

        return Task.FromResult(Replace(user, context, version.Text, $"console:{user.Person.Login} (rollback to version {id})", $"rollback to version {id}"));
    }

    private static ChangeOutcome Replace(ConsoleUser user, HttpContext context, string text, string origin, string what)
    {
        var result = context.RequestServices.GetRequiredService<IPolicyAdministration>().Replace(text, origin);
        if (result.IsOk)
        {
            user.Session.SetFlash($"Policy saved as version {result.Value.Version} and applied.");
            return new ChangeOutcome($"{what} -> version {result.Value.Version}", "ok", ConsoleResults.Redirect(context, PolicyPage.Path));
        }

        return new ChangeOutcome(what, ConsoleResults.Outcome(result),
            PolicyPage.Editor(user, context, ConsoleResults.StatusFor(result.Status), text, result.Error, null));
    }
}
