using System.Security.Cryptography;
using System.Text;
using Appliance.Hosting.AdminConsole.Audit;
using Appliance.Hosting.AdminConsole.Html;
using Appliance.Hosting.AdminConsole.Sessions;
using Appliance.Hosting.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.AdminConsole;

/// <summary>
/// The checks every console request passes, in order: HTTPS listener only; a live session whose person is still in
/// the identity file, enabled and in a console role; for a change also a bounded form, the session's CSRF token
/// and a role that may change the route's area. Every change, done or refused, goes to the audit hook.
/// </summary>
internal static class ConsoleRequests
{
    public static string SessionCookie(HttpContext context) => context.Request.IsHttps ? "__Host-appliance-console" : "appliance-console";

    public static Task Page(HttpContext context, ConsolePageHandler handler) => Run(context, async () =>
    {
        if (Resolve(context) is not { } user)
        {
            return ConsoleResults.Redirect(context, "/admin/login");
        }

        return await handler(user, context).ConfigureAwait(false);
    });

    public static Task Change(HttpContext context, ConsoleChangeRoute route, ConsoleChangeHandler handler) => Run(context, async () =>
    {
        if (Resolve(context) is not { } user)
        {
            return ConsoleResults.Html(context, StatusCodes.Status401Unauthorized, ConsoleHtml.Bare("Session ended",
                "<p class=\"error\" role=\"alert\" id=\"error\">Your session ended. Nothing was changed.</p><p><a href=\"/admin/login\">Log in again</a></p>"));
        }

        // The hook records this change with the person; the admin API under it does not record it again.
        Appliance.Hosting.Audit.AuditActor.InConsoleRequest = true;
        var audit = context.RequestServices.GetRequiredService<IConsoleAuditHook>();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var target = string.Join(",", context.Request.RouteValues.Values.Select(v => v?.ToString()));
        void Record(string outcome, string? what = null) =>
            audit.Record(new ConsoleAuditEntry(time.GetUtcNow(), user.Person.Login, user.Role, route.Action, what ?? target, outcome, user.Address));

        if (context.Request.ContentLength is not { } length || length > route.MaxFormBytes || !context.Request.HasFormContentType)
        {
            Record("invalid: form missing or too large");
            return Refusal(context, user, StatusCodes.Status413PayloadTooLarge, $"The form was missing or larger than {route.MaxFormBytes / 1024} KiB. Nothing was changed.");
        }

        // Kestrel's and the form reader's own limits (30 MB, 128 MB) are the route's: the bundle upload is larger.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = route.MaxFormBytes;
        }

        var form = await context.Request.ReadFormAsync(
            new FormOptions { MultipartBodyLengthLimit = route.MaxFormBytes, ValueLengthLimit = (int)Math.Min(route.MaxFormBytes, int.MaxValue) },
            context.RequestAborted).ConfigureAwait(false);
        if (!CsrfMatches(user.Session, form["csrf"].ToString()))
        {
            Record("invalid: missing or wrong CSRF token");
            return Refusal(context, user, StatusCodes.Status400BadRequest, "The form expired or did not come from this console. Nothing was changed; reload the page and try again.");
        }

        if (!user.CanChange(route.Area))
        {
            Record("forbidden");
            return Refusal(context, user, StatusCodes.Status403Forbidden,
                $"Your role ({user.Role}) cannot change {route.Area.ToString().ToLowerInvariant()}. Nothing was changed.");
        }

        var outcome = await handler(user, form, context).ConfigureAwait(false);
        Record(outcome.Outcome, outcome.Target);
        return outcome.Response;
    });

    /// <summary>A POST that changes nothing (the policy check): session and CSRF token, but any console role, and no audit entry.</summary>
    public static Task ReadPost(HttpContext context, int maxFormBytes, Func<ConsoleUser, IFormCollection, HttpContext, Task<IResult>> handler) => Run(context, async () =>
    {
        if (Resolve(context) is not { } user)
        {
            return ConsoleResults.Redirect(context, "/admin/login");
        }

        if (context.Request.ContentLength is not { } length || length > maxFormBytes || !context.Request.HasFormContentType)
        {
            return Refusal(context, user, StatusCodes.Status413PayloadTooLarge, $"The form was missing or larger than {maxFormBytes / 1024} KiB.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        return CsrfMatches(user.Session, form["csrf"].ToString())
            ? await handler(user, form, context).ConfigureAwait(false)
            : Refusal(context, user, StatusCodes.Status400BadRequest, "The form expired or did not come from this console; reload the page and try again.");
    });

    /// <summary>The logged-in person, or null (and the session ended) when they may no longer use the console.</summary>
    public static ConsoleUser? Resolve(HttpContext context)
    {
        var services = context.RequestServices;
        var sessions = services.GetRequiredService<ConsoleSessions>();
        var cookie = context.Request.Cookies[SessionCookie(context)];
        if (sessions.Find(cookie) is not { } session)
        {
            return null;
        }

        var identity = services.GetRequiredService<IdentityFileService>();
        if (identity.Current.Find(session.Login) is not { } person || person.Disabled || !ConsoleRoles.CanRead(person.Role))
        {
            sessions.EndAll(session.Login);
            return null;
        }

        return new ConsoleUser(session, person, Address(context));
    }

    public static bool CsrfMatches(ConsoleSession session, string? field) =>
        !string.IsNullOrEmpty(field) && field.Length <= 64
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(session.Csrf), Encoding.ASCII.GetBytes(field));

    public static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static IResult Refusal(HttpContext context, ConsoleUser user, int status, string message) =>
        ConsoleResults.Html(context, status, ConsoleHtml.Page(user, "", "Not done", "<p><a href=\"/admin\">Back to the console</a></p>", error: message));

    /// <summary>The console answers only on the HTTPS listener: its cookies are Secure and its password must not cross the wire in clear.</summary>
    private static async Task Run(HttpContext context, Func<Task<IResult>> handler)
    {
        if (!context.Request.IsHttps)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("The admin console is served on the HTTPS listener (server.https_listen).", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var result = await handler().ConfigureAwait(false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    public static Task Plain(HttpContext context, Func<Task<IResult>> handler) => Run(context, handler);
}
