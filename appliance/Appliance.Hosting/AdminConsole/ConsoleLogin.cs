using Appliance.Hosting.AdminConsole.Html;
using Appliance.Hosting.AdminConsole.Sessions;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Identity.Login;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole;

/// <summary>
/// The console's own login (<c>/admin/login</c>): the same people, password check, TOTP replay guard and throttle as
/// the device login page (<see cref="LoginEndpoints.Check"/>, <see cref="LoginThrottle"/>: failures here count
/// towards the same lockout), but success starts a console session instead of registering a device. Only roles with
/// a console (<see cref="ConsoleRoles.CanRead"/>) get one. The form's CSRF token is the login page's
/// (<see cref="LoginCsrf"/>) bound to <see cref="CsrfScope"/>, so a device-login token cannot be replayed here.
/// </summary>
internal static partial class ConsoleLogin
{
    public const string CsrfScope = "appliance-admin-console";
    private const int MaxFormBytes = 8 * 1024;
    private const string Generic = "Wrong user name, password or code.";

    public static Task Show(HttpContext context) => ConsoleRequests.Plain(context, () =>
    {
        if (ConsoleRequests.Resolve(context) is not null)
        {
            return Task.FromResult(ConsoleResults.Redirect(context, "/admin/nodes"));
        }

        return Task.FromResult(Form(context, StatusCodes.Status200OK, null, ""));
    });

    public static Task Submit(HttpContext context) => ConsoleRequests.Plain(context, async () =>
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Appliance.Console");
        var address = ConsoleRequests.Address(context);
        if (context.Request.ContentLength is null or > MaxFormBytes || !context.Request.HasFormContentType)
        {
            LogRefused(logger, "-", address, "form missing or larger than 8 KiB");
            return Form(context, StatusCodes.Status413PayloadTooLarge, "The form was too large or missing.", "");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var login = Field(form, "login", 256).Trim();
        if (!services.GetRequiredService<LoginCsrf>().TryConsume(CsrfScope, context.Request.Cookies[CsrfCookie(context)], Field(form, "csrf", 128)))
        {
            LogRefused(logger, login, address, "missing, tampered or replayed CSRF token");
            return Form(context, StatusCodes.Status400BadRequest, "The form expired. Please try again.", login);
        }

        var throttle = services.GetRequiredService<LoginThrottle>();
        var time = services.GetRequiredService<TimeProvider>();
        string[] keys = ["user:" + login, "addr:" + address];
        if (throttle.LockedUntil(keys) is { } until)
        {
            LogRefused(logger, login, address, "locked out");
            return Form(context, StatusCodes.Status429TooManyRequests,
                $"Too many failed attempts. Try again in {Math.Ceiling((until - time.GetUtcNow()).TotalMinutes)} minutes.", login);
        }

        var identity = services.GetRequiredService<IdentityFileService>();
        var reason = LoginEndpoints.Check(identity, services.GetRequiredService<TotpReplayGuard>(), time, login,
            Field(form, "password", PasswordHasher.MaxPasswordLength + 1), Field(form, "totp", 16));
        if (reason is not null)
        {
            throttle.Failure(keys);
            LogRefused(logger, login, address, reason);
            return Form(context, StatusCodes.Status401Unauthorized,
                throttle.LockedUntil(keys) is null ? Generic : "Too many failed attempts. Try again in 15 minutes.", login);
        }

        throttle.Success("user:" + login);
        var person = identity.Current.Find(login)!;
        if (!ConsoleRoles.CanRead(person.Role))
        {
            LogRefused(logger, login, address, $"role {person.Role} has no console");
            return ConsoleResults.Html(context, StatusCodes.Status403Forbidden, Bare("No console access",
                $"<p class=\"error\" role=\"alert\" id=\"error\">Your role ({E(person.Role)}) has no access to the admin console. Ask the security officer to change it in the identity file.</p>"));
        }

        var token = services.GetRequiredService<ConsoleSessions>().Start(person.Login, out _);
        context.Response.Cookies.Append(ConsoleRequests.SessionCookie(context), token, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = ConsoleSessions.AbsoluteLifetime,
        });
        LogLoggedIn(logger, person.Login, person.Role, address);
        return ConsoleResults.Redirect(context, "/admin/nodes");
    });

    public static Task Logout(HttpContext context) => ConsoleRequests.Plain(context, async () =>
    {
        var sessions = context.RequestServices.GetRequiredService<ConsoleSessions>();
        var cookie = context.Request.Cookies[ConsoleRequests.SessionCookie(context)];
        if (ConsoleRequests.Resolve(context) is { } user && context.Request.HasFormContentType
            && context.Request.ContentLength is <= MaxFormBytes)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            if (!ConsoleRequests.CsrfMatches(user.Session, form["csrf"].ToString()))
            {
                return ConsoleResults.Html(context, StatusCodes.Status400BadRequest, Bare("Not logged out",
                    "<p class=\"error\" role=\"alert\" id=\"error\">The form did not come from this console.</p><p><a href=\"/admin\">Back</a></p>"));
            }

            sessions.End(cookie);
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Appliance.Console");
            LogLoggedOut(logger, user.Person.Login, user.Address);
        }

        context.Response.Cookies.Delete(ConsoleRequests.SessionCookie(context), new CookieOptions { Secure = context.Request.IsHttps, Path = "/" });
        return ConsoleResults.Redirect(context, "/admin/login");
    });

    private static IResult Form(HttpContext context, int status, string? error, string login)
    {
        var csrf = context.RequestServices.GetRequiredService<LoginCsrf>().Issue(CsrfScope);
        context.Response.Cookies.Append(CsrfCookie(context), csrf, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            MaxAge = LoginCsrf.Lifetime,
        });
        return ConsoleResults.Html(context, status, Bare("Log in to the admin console", $"""
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\" id=\"error\">{E(error)}</p>")}
            <form method="post" action="/admin/login" autocomplete="off">
            <input type="hidden" name="csrf" value="{E(csrf)}">
            <label for="login">User name</label>
            <input id="login" name="login" type="text" autocomplete="username" required maxlength="256" value="{E(login)}"{(error is null ? "" : " aria-describedby=\"error\"")}>
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
            <label for="totp">Code from your authenticator app</label>
            <input id="totp" name="totp" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7">
            <button type="submit">Log in</button>
            </form>
            """));
    }

    private static string CsrfCookie(HttpContext context) => context.Request.IsHttps ? "__Host-console-login-csrf" : "console-login-csrf";

    private static string Field(IFormCollection form, string name, int max)
    {
        var value = form[name].ToString();
        return value.Length > max ? "" : value;
    }

    [LoggerMessage(EventId = ConsoleEvents.LoggedInId, Level = LogLevel.Information, Message = "Console: {Login} ({Role}) logged in from {Address}")]
    private static partial void LogLoggedIn(ILogger logger, string login, string role, string address);

    [LoggerMessage(EventId = ConsoleEvents.LoginRefusedId, Level = LogLevel.Warning, Message = "Console login refused for {Login} from {Address}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string login, string address, string reason);

    [LoggerMessage(EventId = ConsoleEvents.LoggedOutId, Level = LogLevel.Information, Message = "Console: {Login} logged out from {Address}")]
    private static partial void LogLoggedOut(ILogger logger, string login, string address);
}
