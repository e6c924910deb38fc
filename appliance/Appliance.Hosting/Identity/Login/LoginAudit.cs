using Appliance.Hosting.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Identity.Login;

/// <summary>
/// The login page's hook into the audit log and the failed-logins metric: one call per outcome, so the page's own
/// code (and its other editors) only call <see cref="Refused"/> and <see cref="Succeeded"/>.
/// </summary>
internal static class LoginAudit
{
    public static void Refused(HttpContext context, string login, string address, string reason)
    {
        var services = context.RequestServices;
        services.GetService<LoginMetrics>()?.Failed(LoginMetrics.ReasonLabel(reason));
        services.GetService<AuditTrail>()?.Record(Actor(login), "login.refused", "from " + address, "refused: " + reason);
    }

    public static void Succeeded(HttpContext context, string login, string address, string machine) =>
        context.RequestServices.GetService<AuditTrail>()?.Record(login, "login.ok", $"registered {machine} from {address}", "ok");

    // The name typed is not proven: it is recorded as a claim, never as the actor itself.
    private static string Actor(string login) => string.IsNullOrEmpty(login) || login == "-" ? "anonymous" : "anonymous (as " + login + ")";
}
