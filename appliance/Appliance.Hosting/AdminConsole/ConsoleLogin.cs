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

    /// <summary>The certificate this browser presented, for the login form (null: none, the feature is off, or refused).</summary>
    private static LoginEndpoints.CertificateIdentity? Certificate(HttpContext context, ILogger? logger)
    {
        var certificate = LoginEndpoints.InspectCertificate(context);
        if (certificate?.Refusal is { } refusal && logger is not null)
        {
            LogRefused(logger, certificate.Person?.Login ?? certificate.Subject, ConsoleRequests.Address(context), "certificate: " + refusal);
        }

        return certificate;
    }

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
        var byCertificate = form["method"].ToString() == "certificate";
        var certificate = byCertificate ? Certificate(context, null) : null;
        if (byCertificate)
        {
            login = certificate?.Person?.Login ?? "-";
        }

        string[] keys = ["user:" + login, "addr:" + address];
        if (throttle.LockedUntil(keys) is { } until)
        {
            LogRefused(logger, login, address, "locked out");
            return Form(context, StatusCodes.Status429TooManyRequests,
                $"Too many failed attempts. Try again in {Math.Ceiling((until - time.GetUtcNow()).TotalMinutes)} minutes.", login);
        }

        var identity = services.GetRequiredService<IdentityFileService>();
        var reason = byCertificate
            ? LoginEndpoints.CertificateRefusal(context, certificate, Field(form, "totp", 16))
            : LoginEndpoints.Check(identity, services.GetRequiredService<TotpReplayGuard>(), time, login,
                Field(form, "password", PasswordHasher.MaxPasswordLength + 1), Field(form, "totp", 16));
        if (reason is not null)
        {
            throttle.Failure(keys);
            LogRefused(logger, login, address, (byCertificate ? "certificate: " : "") + reason);
            return Form(context, StatusCodes.Status401Unauthorized,
                throttle.LockedUntil(keys) is not null ? "Too many failed attempts. Try again in 15 minutes."
                : byCertificate && certificate?.Refusal is { } refusal ? refusal
                : byCertificate && certificate is null ? "Your browser presented no certificate. Log in with your password."
                : byCertificate ? "Wrong code." : Generic,
                byCertificate ? "" : login);
        }

        throttle.Success("user:" + login);
        var person = identity.Current.Find(login)!;
        if (!ConsoleRoles.CanRead(person.Role))
        {
            LogRefused(logger, login, address, $"role {person.Role} has no console");
            return ConsoleResults.Html(context, StatusCodes.Status403Forbidden, Bare("No console access",
                $"<p class=\"error\" role=\"alert\" id=\"error\">Your role ({E(person.Role)}) has no access to the admin console. Ask the security officer to change it in the identity file.</p>"));
        }

        string token;
        try
        {
            token = services.GetRequiredService<ConsoleSessions>().Start(person.Login, out _);
        }
        catch (System.Data.Common.DbException e)
        {
            LogRefused(logger, login, address, "the session could not be stored: " + e.Message);
            return Form(context, StatusCodes.Status503ServiceUnavailable, "The database refused the session. Try again in a moment.", login);
        }

        if (byCertificate)
        {
            LogCertificate(logger, person.Login, certificate!.Subject);
        }

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
        var certificate = Certificate(context, context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Appliance.Console"));
        var person = certificate is { Refusal: null, Person: { } p } && ConsoleRoles.CanRead(p.Role) ? p : null;
        var certificateForm = person is null ? "" : $"""
            <form method="post" action="/admin/login" autocomplete="off" id="certificate-login">
            <input type="hidden" name="csrf" value="{E(csrf)}">
            <input type="hidden" name="method" value="certificate">
            <p id="certificate">Your browser presented the certificate of <strong>{E(person.DisplayName ?? person.Login)}</strong>.</p>
            {(person.TotpSecret is null ? "" : """
            <label for="certificate-totp">Code from your authenticator app</label>
            <input id="certificate-totp" name="totp" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="7">
            """)}
            <button type="submit">Log in as {E(person.DisplayName ?? person.Login)}</button>
            </form>
            <h2>Or with a password</h2>
            """;
        var refusal = certificate?.Refusal is { } why && error is null ? $"<p class=\"muted\" id=\"certificate-refused\">{E(why)} Log in with your password instead.</p>" : "";
        return ConsoleResults.Html(context, status, Bare("Log in to the admin console", $"""
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\" id=\"error\">{E(error)}</p>")}
            {refusal}
            {certificateForm}
            <form method="post" action="/admin/login" autocomplete="off">
            {LoginPage.CredentialFields(csrf, login, error is not null)}
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

    [LoggerMessage(EventId = ConsoleEvents.CertificateLoginId, Level = LogLevel.Information, Message = "Console: {Login} logged in with client certificate {Subject}")]
    private static partial void LogCertificate(ILogger logger, string login, string subject);

    [LoggerMessage(EventId = ConsoleEvents.LoggedOutId, Level = LogLevel.Information, Message = "Console: {Login} logged out from {Address}")]
    private static partial void LogLoggedOut(ILogger logger, string login, string address);
}
